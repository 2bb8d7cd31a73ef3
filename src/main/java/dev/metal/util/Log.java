package dev.metal.util;

import java.io.PrintWriter;

/**
 * Diagnostics for people, always on stderr so that stdout stays clean for --json. Warnings
 * always show; info and debug lines only with -v. Each run of a command makes its own and
 * hands it to what it calls.
 */
public final class Log {
    private final PrintWriter err;
    private final boolean verbose;

    public Log(PrintWriter err, boolean verbose) {
        this.err = err;
        this.verbose = verbose;
    }

    /** Warnings on the process's stderr, nothing else: for parts used outside a command. */
    public static Log stderr() {
        return new Log(new PrintWriter(System.err, true), false);
    }

    public boolean verbose() {
        return verbose;
    }

    public void warn(String message) {
        print("warning: " + message);
    }

    /** Progress a person wants to see while waiting (only with -v when not on a terminal). */
    public void info(String message) {
        if (verbose) print(message);
    }

    public void debug(String message) {
        if (verbose) print("debug: " + message);
    }

    private void print(String line) {
        synchronized (err) {
            err.println("metal: " + line);
            err.flush();
        }
    }
}

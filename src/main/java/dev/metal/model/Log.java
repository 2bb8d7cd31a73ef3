package dev.metal.model;

import java.io.PrintWriter;

/**
 * Diagnostics for people, always on stderr so that stdout stays clean for --json.
 * Warnings always show; info and debug lines only with -v. The cli sets the writer.
 */
public final class Log {
    private static volatile PrintWriter err = new PrintWriter(System.err, true);
    private static volatile boolean verbose;

    private Log() {}

    public static void configure(PrintWriter writer, boolean isVerbose) {
        err = writer;
        verbose = isVerbose;
    }

    public static void warn(String message) {
        print("warning: " + message);
    }

    /** Progress a person wants to see while waiting (only with -v when not on a terminal). */
    public static void info(String message) {
        if (verbose) print(message);
    }

    public static void debug(String message) {
        if (verbose) print("debug: " + message);
    }

    private static void print(String line) {
        PrintWriter w = err;
        synchronized (w) {
            w.println("metal: " + line);
            w.flush();
        }
    }
}

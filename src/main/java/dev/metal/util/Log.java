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
        String safe = escape(line);
        synchronized (err) {
            err.println("metal: " + safe);
            err.flush();
        }
    }

    /**
     * The message with control characters written as escapes: what clients send (request
     * paths, host names, headers) reaches the log, and must neither forge lines nor drive the
     * terminal. C0 and C1 controls, DEL and the bidirectional overrides are escaped; other
     * text is kept.
     */
    public static String escape(String message) {
        StringBuilder sb = null;
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            boolean control = c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e)
                    || (c >= 0x2066 && c <= 0x2069) || c == 0x200e || c == 0x200f || c == 0x061c;
            if (!control) {
                if (sb != null) sb.append(c);
                continue;
            }
            if (sb == null) sb = new StringBuilder(message.length() + 16).append(message, 0, i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> sb.append(c <= 0xff ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c));
            }
        }
        return sb == null ? message : sb.toString();
    }
}

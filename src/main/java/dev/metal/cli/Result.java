package dev.metal.cli;

import java.io.PrintWriter;

/**
 * What a command returns: printed for people as text, or with --json as JSON on stdout.
 */
public interface Result {
    /** The object written with --json. */
    Object json();

    /** The text written for people. */
    void print(PrintWriter out);

    default int exitCode() {
        return ExitCodes.OK;
    }
}

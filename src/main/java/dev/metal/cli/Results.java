package dev.metal.cli;

import java.io.PrintWriter;
import java.util.function.Consumer;

/** Results that need no class of their own: an object for --json and a way to print it for people. */
final class Results {
    private Results() {}

    static Result of(Object json, Consumer<PrintWriter> print) {
        return of(json, print, ExitCodes.OK);
    }

    static Result of(Object json, Consumer<PrintWriter> print, int exitCode) {
        return new Result() {
            @Override
            public Object json() {
                return json;
            }

            @Override
            public void print(PrintWriter out) {
                print.accept(out);
            }

            @Override
            public int exitCode() {
                return exitCode;
            }
        };
    }

    /** A one-line message for people and an object for --json. */
    static Result message(String text, Object json) {
        return of(json, out -> out.println(text));
    }
}

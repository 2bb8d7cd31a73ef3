package dev.metal.cli;

import java.io.PrintWriter;

/** Small results that need no class of their own. */
final class Results {
    private Results() {}

    /** A one-line message for people and an object for --json. */
    static Result message(String text, Object json) {
        return new Result() {
            @Override
            public Object json() {
                return json;
            }

            @Override
            public void print(PrintWriter out) {
                out.println(text);
            }
        };
    }
}

package dev.metal.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a run of metal gets from outside: its output streams, its environment and its
 * working folder. Tests build one with captured streams.
 */
public record Context(PrintWriter out, PrintWriter err, Map<String, String> env, Path home) {
    public static Context system() {
        return new Context(new PrintWriter(System.out, true), new PrintWriter(System.err, true),
                System.getenv(), Path.of(System.getProperty("user.home")));
    }

    public String env(String name) {
        return env.get(name);
    }
}

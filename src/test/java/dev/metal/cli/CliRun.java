package dev.metal.cli;

import dev.metal.workflow.Services;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Runs the real metal command line in-process with captured stdout and stderr, against
 * a state file of the test's own. The tests of every package use this.
 */
public final class CliRun {
    public final int exitCode;
    public final String out;
    public final String err;

    private CliRun(int exitCode, String out, String err) {
        this.exitCode = exitCode;
        this.out = out;
        this.err = err;
    }

    /** Runs metal with {@code --state state} added before the arguments. */
    public static CliRun metal(Path state, String... args) {
        return metal(Map.of("METAL_STATE", state.toString()), args);
    }

    public static CliRun metal(Map<String, String> env, String... args) {
        return metal(Services.standard(), env, args);
    }

    /** Runs metal over these parts (the lab's BMCs, test boot content) with {@code --state state}. */
    public static CliRun metal(Services services, Path state, String... args) {
        return metal(services, Map.of("METAL_STATE", state.toString()), args);
    }

    public static CliRun metal(Services services, Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Map<String, String> environment = new HashMap<>(env);
        Context context = new Context(new PrintWriter(out, true), new PrintWriter(err, true), environment,
                Path.of(System.getProperty("java.io.tmpdir")));
        int code = Cli.run(context, services, args);
        return new CliRun(code, out.toString(), err.toString());
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
    }
}

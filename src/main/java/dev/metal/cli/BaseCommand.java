package dev.metal.cli;

import dev.metal.model.Json;
import dev.metal.model.Log;
import dev.metal.state.StateStore;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What every leaf command shares: it runs one piece of the core, gets a {@link Result}
 * and leaves printing to this class, as a table for people or JSON with --json.
 */
@picocli.CommandLine.Command
public abstract class BaseCommand implements Callable<Integer> {
    @Spec
    protected CommandSpec spec;

    protected abstract Result execute() throws Exception;

    @Override
    public final Integer call() throws Exception {
        Log.configure(context().err(), root().verbose());
        Result result = execute();
        PrintWriter out = context().out();
        if (root().json()) {
            out.println(Json.mapper().writeValueAsString(result.json()));
        } else {
            result.print(out);
        }
        out.flush();
        return result.exitCode();
    }

    protected MetalCommand root() {
        return (MetalCommand) spec.root().userObject();
    }

    protected Context context() {
        return root().context();
    }

    /** The state store, journaling changes under this command's name. */
    protected StateStore store() {
        String name = spec.qualifiedName(" ");
        if (name.startsWith("metal ")) name = name.substring("metal ".length());
        return new StateStore(root().statePath(), name);
    }
}

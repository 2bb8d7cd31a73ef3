package dev.metal.cli;

import dev.metal.model.SystemicException;

import dev.metal.state.Store;
import dev.metal.util.Log;
import dev.metal.workflow.Services;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What every leaf command shares: it runs one piece of the core, gets a {@link Result}
 * and leaves printing to this class, as a table for people or JSON with --json. It opens
 * the state only when asked for it, and closes it at the end.
 */
@picocli.CommandLine.Command
public abstract class BaseCommand implements Callable<Integer> {
    @Spec
    protected CommandSpec spec;

    private Log log;
    private Store store;

    protected abstract Result execute() throws Exception;

    /** Defaults of shared options (by long name) that this command sets to its own, e.g. --parallel. */
    public Map<String, String> defaults() {
        return Map.of();
    }

    @Override
    public final Integer call() throws Exception {
        log = new Log(context().err(), root().verbose());
        try {
            Result result = execute();
            emit(result);
            return result.exitCode();
        } finally {
            if (store != null) store.close();
        }
    }

    /** Prints a result (the final one, or one a long-running command owes its user on the way) on stdout. */
    protected void emit(Result result) {
        PrintWriter out = context().out();
        if (root().json()) {
            out.println(JsonContract.write(result.json()));
        } else {
            result.print(out);
        }
        out.flush();
    }

    protected MetalCommand root() {
        return (MetalCommand) spec.root().userObject();
    }

    protected Context context() {
        return root().context();
    }

    protected Services services() {
        return root().services();
    }

    /** This run's diagnostics: stderr, info and debug only with -v. */
    protected Log log() {
        return log;
    }

    /** The state, opened on first use; changes are journaled under this command's name. */
    protected Store store() {
        if (store == null) {
            String name = spec.qualifiedName(" ");
            if (name.startsWith("metal ")) name = name.substring("metal ".length());
            root().checkStateName();
            if (root().defaultState()) makeDefaultStateFolder();
            store = services().openStore(root().stateLocation(), name);
        }
        return store;
    }

    /** The default state's folder is metal's to make (mode 0700); a folder named with --state is the user's. */
    private void makeDefaultStateFolder() {
        Path dir = Path.of(root().stateLocation()).toAbsolutePath().getParent();
        if (java.nio.file.Files.isDirectory(dir)) return;
        try {
            java.nio.file.Files.createDirectories(dir.getParent());
            java.nio.file.Files.createDirectory(dir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        } catch (java.nio.file.FileAlreadyExistsException raced) {
            // made by another metal just now
        } catch (java.io.IOException e) {
            throw new SystemicException("cannot make the state folder " + dir + ": " + e.getMessage());
        }
    }

    protected Path besideState(String name) {
        return root().besideState(name);
    }
}

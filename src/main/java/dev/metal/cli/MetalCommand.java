package dev.metal.cli;

import dev.metal.lab.Demo;
import dev.metal.workflow.Services;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The top of the command tree; its options are inherited by every subcommand (listed in {@link Cli}). */
@Command(name = "metal",
        scope = ScopeType.INHERIT,
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Bare-metal provisioning: from a rack CSV to a server that answers SSH.",
            "metal keeps what it knows in one local state file. Each subcommand moves hosts along:",
            "",
            "  import -> discover -> scrape -> match -> render -> provision"
        },
        footerHeading = "%nFiles:%n",
        footer = {
            "  The state file is --state FILE, else $METAL_STATE, else",
            "  $XDG_STATE_HOME/metal/state.json (~/.local/state/metal/state.json).",
            "  The journal of every change is beside it, as FILE.journal (JSON lines)."
        })
public final class MetalCommand implements Runnable {
    final Context context;
    private final Services services;
    private final Demo.StepRunner runner;

    @Spec
    CommandSpec spec;

    /** Copied onto every subcommand by {@link Cli}. */
    @Option(names = "--state", paramLabel = "FILE", order = 100,
            description = "State file (default: $METAL_STATE, else ~/.local/state/metal/state.json).")
    Path state;

    @Option(names = "--json", scope = ScopeType.INHERIT, order = 101,
            description = "Print the result as JSON on stdout.")
    boolean json;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT, order = 102,
            description = "Show progress and diagnostics on stderr, and stack traces on errors.")
    boolean verbose;

    /** @param runner runs another metal command in-process, over the same parts (for the demo) */
    MetalCommand(Context context, Services services, Demo.StepRunner runner) {
        this.context = context;
        this.services = services;
        this.runner = runner;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command; see 'metal --help'");
    }

    /** The state file this run uses. */
    public Path statePath() {
        if (state != null) return state;
        String fromEnv = context.env("METAL_STATE");
        if (fromEnv != null && !fromEnv.isBlank()) return Path.of(fromEnv);
        String xdg = context.env("XDG_STATE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : context.home().resolve(".local/state");
        return base.resolve("metal/state.json");
    }

    /**
     * A state file named with --state or $METAL_STATE must be in a folder that exists: a
     * typo in the path is an error, not a new, empty fleet. The default folder is made on
     * first use.
     */
    void checkStateFolder() {
        boolean named = state != null || (context.env("METAL_STATE") != null && !context.env("METAL_STATE").isBlank());
        Path parent = statePath().toAbsolutePath().getParent();
        if (named && parent != null && !java.nio.file.Files.isDirectory(parent)) {
            throw new dev.metal.model.BadInputException("state file " + statePath() + ": folder " + parent
                    + " does not exist (create it, or name another file with --state or $METAL_STATE)");
        }
        // 'host list --state ready' filtered by host state before --in did.
        if (state != null && !java.nio.file.Files.exists(state) && state.getParent() == null
                && java.util.Arrays.stream(dev.metal.model.HostState.values()).anyMatch(s -> s.label().equals(state.toString()))) {
            throw new dev.metal.model.BadInputException("--state names the state file; to list the hosts in state "
                    + state + " use 'host list --in " + state + "'");
        }
    }

    /**
     * A path beside the state file, as the defaults of the profiles folder and the boot
     * server's files are: the one place such paths are worked out.
     */
    public Path besideState(String name) {
        return statePath().toAbsolutePath().resolveSibling(name);
    }

    public Services services() {
        return services;
    }

    Demo.StepRunner runner() {
        return runner;
    }

    public boolean json() {
        return json;
    }

    public boolean verbose() {
        return verbose;
    }

    public Context context() {
        return context;
    }
}

package dev.metal.cli;

import dev.metal.lab.Demo;
import dev.metal.state.Stores;
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
            "metal keeps what it knows in one local state file (SQLite), or in PostgreSQL for a",
            "team. Each subcommand moves hosts along:",
            "",
            "  import -> discover -> scrape -> match -> render -> provision"
        },
        footerHeading = "%nFiles:%n",
        footer = {
            "  The state is --state FILE, else $METAL_STATE, else",
            "  $XDG_STATE_HOME/metal/state.json (~/.local/state/metal/state.json): a SQLite",
            "  database (mode 0600) that also holds the journal of every change. A JSON",
            "  state of an earlier metal is moved into it on first use and kept as",
            "  FILE.json-backup.",
            "  A postgresql://[user@]host[:port]/database URL keeps the state in PostgreSQL;",
            "  the password comes from password=env:VAR or password=file:PATH in the URL,",
            "  $PGPASSWORD or ~/.pgpass, and is never printed."
        })
public final class MetalCommand implements Runnable {
    final Context context;
    private final Services services;
    private final Demo.StepRunner runner;

    @Spec
    CommandSpec spec;

    /** Copied onto every subcommand by {@link Cli}. */
    @Option(names = "--state", paramLabel = "FILE", order = 100,
            description = "State file or postgresql:// URL (default: $METAL_STATE, else "
                    + "~/.local/state/metal/state.json).")
    String state;

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

    /** The state this run uses: a file, or a PostgreSQL URL. */
    public String stateLocation() {
        if (state != null && !state.isBlank()) return state;
        String fromEnv = context.env("METAL_STATE");
        if (fromEnv != null && !fromEnv.isBlank()) return fromEnv;
        return defaultStateFile().toString();
    }

    /** Whether this run uses the default state file, whose folder metal makes on first use. */
    public boolean defaultState() {
        return stateLocation().equals(defaultStateFile().toString());
    }

    private Path defaultStateFile() {
        String xdg = context.env("XDG_STATE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : context.home().resolve(".local/state");
        return base.resolve("metal/state.json");
    }

    /**
     * 'host list --state ready' filtered by host state before --in did: say so, not "no such
     * folder". A state file in a folder that does not exist is a typo, not an empty fleet, for
     * reads as for writes (the default folder is made on first use).
     */
    void checkStateName() {
        String location = stateLocation();
        if (!defaultState() && !Stores.isDatabaseUrl(location)) {
            Path dir = Path.of(location).toAbsolutePath().getParent();
            if (dir != null && !java.nio.file.Files.isDirectory(dir)
                    && java.util.Arrays.stream(dev.metal.model.HostState.values()).noneMatch(s -> s.label().equals(location))) {
                throw new dev.metal.model.BadInputException("the folder of the state file " + location
                        + " does not exist: " + dir + " (create it, or give another --state)");
            }
        }
        if (state != null && !state.contains("/") && !java.nio.file.Files.exists(Path.of(state))
                && java.util.Arrays.stream(dev.metal.model.HostState.values()).anyMatch(s -> s.label().equals(state))) {
            throw new dev.metal.model.BadInputException("--state names the state file; to list the hosts in state "
                    + state + " use 'host list --in " + state + "'");
        }
    }

    /**
     * A path beside the state file, as the defaults of the profiles folder and the boot
     * server's files are: the one place such paths are worked out. With the state in
     * PostgreSQL, they are beside the default state file.
     */
    public Path besideState(String name) {
        String location = stateLocation();
        Path file = Stores.isDatabaseUrl(location) ? defaultStateFile() : Path.of(location);
        return file.toAbsolutePath().resolveSibling(name);
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

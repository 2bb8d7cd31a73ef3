package dev.metal.cli;

import dev.metal.model.BadInputException;
import dev.metal.util.Messages;
import dev.metal.workflow.Services;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Builds the one CommandLine that main and the tests run, with the exit codes and the
 * error handling every command shares, over one {@link Services} object.
 */
public final class Cli {
    private Cli() {}

    /** The subcommands, in the order of the pipeline (the order --help lists them in). */
    static final List<Class<?>> COMMANDS = List.of(
            ImportCommand.class,
            DiscoverCommand.class,
            ScrapeCommand.class,
            InventoryCommand.class,
            MatchCommand.class,
            OnboardCommand.class,
            ProfileCommand.class,
            SiteCommand.class,
            RenderCommand.class,
            TemplateCommand.class,
            PowerCommand.class,
            BootCommand.class,
            ServeCommand.class,
            ProvisionCommand.class,
            PoolCommand.class,
            HostCommand.class,
            StateCommand.class,
            AnsibleCommand.class,
            DemoCommand.class,
            LabCommand.class,
            AgentCommand.class,
            CompletionCommand.class);

    /** The whole command tree, for help, completion and the man pages. */
    public static CommandLine create(Context context) {
        return create(context, Services.standard(), null);
    }

    /**
     * The command tree for running {@code args}: only the subcommand they name is built,
     * since building every subcommand's model is most of a start. Without a known
     * subcommand (help, a typo) the whole tree is built, so help and errors are the same.
     */
    static CommandLine create(Context context, Services services, String[] args) {
        String wanted = args == null ? null : subcommandName(args);
        // The demo runs the other commands in-process, each with output of its own.
        MetalCommand root = new MetalCommand(context, services,
                (demoArgs, out) -> run(new Context(out, out, context.env(), context.home()), services,
                        demoArgs.toArray(String[]::new)));
        CommandLine cli = new CommandLine(root);
        for (Class<?> command : COMMANDS) {
            if (wanted == null || wanted.equals(nameOf(command))) cli.addSubcommand(command);
        }
        cli.setOut(context.out());
        cli.setErr(context.err());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler(Cli::handleError);
        cli.setParameterExceptionHandler(Cli::handleUsageError);
        cli.setDefaultValueProvider(Cli::commandDefault);
        documentExitCodes(cli);
        CommandLine importer = cli.getSubcommands().get("import");
        if (importer != null) importer.getCommandSpec().usageMessage().footer(ImportCommand.columnHelp());
        shareStateOption(cli, cli.getCommandSpec().findOption("--state"));
        HelpFormat.install(cli);
        return cli;
    }

    /** --state FILE works on every command, before or after the command's name. */
    private static void shareStateOption(CommandLine cmd, OptionSpec stateFile) {
        for (CommandLine sub : cmd.getSubcommands().values()) {
            if (sub.getCommandSpec().findOption("--state") == null) {
                sub.getCommandSpec().addOption(OptionSpec.builder(stateFile).build());
            }
            shareStateOption(sub, stateFile);
        }
    }

    /** Runs metal with these arguments and returns the exit code. */
    public static int run(Context context, String... args) {
        return run(context, Services.standard(), args);
    }

    /** Runs metal over these parts (tests hand in the lab's BMCs here). */
    public static int run(Context context, Services services, String... args) {
        if (wantsJson(args) && (List.of(args).contains("--version") || List.of(args).contains("-V"))) {
            context.out().println(JsonContract.write(Map.of("version", VersionProvider.version())));
            context.out().flush();
            return ExitCodes.OK;
        }
        return create(context, services, args).execute(args);
    }

    /** --json anywhere before a lone "--" (the flag is inherited by every command). */
    static boolean wantsJson(String[] args) {
        for (String a : args) {
            if (a.equals("--")) return false;
            if (a.equals("--json")) return true;
        }
        return false;
    }

    /** A shared option's default where the command gives its own (see {@link BaseCommand#defaults}). */
    private static String commandDefault(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option) || !(arg.command().userObject() instanceof BaseCommand command)) {
            return null;
        }
        return command.defaults().get(option.longestName());
    }

    private static String nameOf(Class<?> command) {
        return command.getAnnotation(Command.class).name();
    }

    /** The first word that is not a global option or its value, if it names a subcommand. */
    private static String subcommandName(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--state")) {
                i++;
            } else if (!a.startsWith("-")) {
                for (Class<?> command : COMMANDS) {
                    if (nameOf(command).equals(a)) return a;
                }
                return null;
            }
        }
        return null;
    }

    private static void documentExitCodes(CommandLine cli) {
        Map<String, String> codes = ExitCodes.descriptions();
        cli.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(codes);
        for (CommandLine sub : cli.getSubcommands().values()) documentExitCodes(sub);
    }

    private static int handleError(Exception e, CommandLine cmd, ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        MetalCommand root = (MetalCommand) cmd.getCommandSpec().root().userObject();
        int code = ExitCodes.of(e);
        // A stack trace helps with a fault in metal, never with a mistake in the input.
        if (root.verbose() && code != ExitCodes.BAD_INPUT) e.printStackTrace(err);
        List<String> problems = e instanceof BadInputException bad ? bad.problems()
                : List.of(Messages.plain(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        List<String> suggestions = Suggestions.forProblems(root, problems);
        for (String problem : problems) err.println("metal: " + problem);
        if (!suggestions.isEmpty()) err.println("Did you mean: " + String.join(", ", suggestions) + "?");
        err.flush();
        if (root.json()) printJsonError(cmd, problems, code, suggestions);
        return code;
    }

    private static int handleUsageError(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        CommandSpec spec = cmd.getCommandSpec();
        List<String> suggestions = e instanceof UnmatchedArgumentException u ? suggest(cmd, u) : List.of();
        String message = e instanceof UnmatchedArgumentException u ? unmatched(cmd, u) : e.getMessage();
        err.println("metal: " + message);
        if (!suggestions.isEmpty()) err.println("Did you mean: " + String.join(", ", suggestions) + "?");
        err.println("Try '" + spec.qualifiedName() + " --help' for more information.");
        err.flush();
        if (wantsJson(args)) printJsonError(cmd, List.of(message), ExitCodes.BAD_INPUT, suggestions);
        return ExitCodes.BAD_INPUT;
    }

    /** "unknown command 'hots'" rather than picocli's "Unmatched arguments from index 2: 'hots', 'list'". */
    private static String unmatched(CommandLine cmd, UnmatchedArgumentException u) {
        if (u.getUnmatched().isEmpty()) return u.getMessage();
        String typed = u.getUnmatched().get(0);
        String where = cmd.getCommandSpec().qualifiedName();
        if (typed.startsWith("-")) return "unknown option '" + typed + "' for '" + where + "'";
        if (!cmd.getSubcommands().isEmpty()) return "unknown command '" + typed + "' for '" + where + "'";
        return "unexpected argument '" + typed + "' for '" + where + "'";
    }

    /** For a mistyped subcommand the nearest subcommands, for a mistyped option the nearest options. */
    private static List<String> suggest(CommandLine cmd, UnmatchedArgumentException u) {
        if (u.getUnmatched().isEmpty()) return List.of();
        String typed = u.getUnmatched().get(0);
        if (typed.startsWith("-")) {
            List<String> options = new java.util.ArrayList<>();
            for (OptionSpec o : cmd.getCommandSpec().options()) options.addAll(List.of(o.names()));
            return Suggestions.closest(typed, options);
        }
        return Suggestions.closest(typed, cmd.getSubcommands().keySet());
    }

    private static void printJsonError(CommandLine cmd, List<String> problems, int code, List<String> suggestions) {
        String message = problems.size() == 1 ? problems.get(0) : problems.size() + " problems: " + problems.get(0);
        PrintWriter out = cmd.getOut();
        out.println(JsonContract.write(JsonContract.error(message, code, problems, suggestions)));
        out.flush();
    }
}

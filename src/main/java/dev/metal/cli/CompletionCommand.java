package dev.metal.cli;

import java.io.PrintWriter;
import java.util.Locale;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Prints a shell completion script built from the command model itself. */
@Command(name = "completion",
        description = {"Print the shell completion script for bash or zsh.",
            "bash: source <(metal completion bash)",
            "zsh:  autoload -U +X bashcompinit && bashcompinit && source <(metal completion zsh)"})
public final class CompletionCommand extends BaseCommand {
    enum Shell { bash, zsh }

    @Parameters(index = "0", paramLabel = "SHELL", description = "bash or zsh")
    Shell shell;

    @Override
    protected Result execute() {
        // The whole tree, whatever part of it this run built.
        String script = script(Cli.create(root().context()));
        return new Result() {
            @Override
            public Object json() {
                return java.util.Map.of("shell", shell.name().toLowerCase(Locale.ROOT), "script", script);
            }

            @Override
            public void print(PrintWriter out) {
                out.print(script);
            }
        };
    }

    /** The script picocli generates serves both shells (zsh through bashcompinit). */
    static String script(picocli.CommandLine root) {
        return AutoComplete.bash("metal", root);
    }
}

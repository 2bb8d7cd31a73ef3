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

    /**
     * The script picocli generates serves both shells (zsh through bashcompinit). Where a
     * command takes a host or a profile, it offers the names in the state (from 'metal
     * host list' and 'metal profile list', with the --state of the command line).
     */
    static String script(picocli.CommandLine root) {
        String script = AutoComplete.bash("metal", root);
        StringBuilder out = new StringBuilder();
        java.util.Map<String, String> positionals = new java.util.HashMap<>();
        java.util.Set<String> profileOptions = new java.util.HashSet<>();
        names(root, positionals, profileOptions);
        String function = null;
        String caseLabel = null;
        boolean named = false;
        for (String line : script.split("\n", -1)) {
            if (line.startsWith("function _picocli_")) function = line.substring("function ".length(), line.indexOf('('));
            String trimmed = line.strip();
            if (trimmed.startsWith("'--") && trimmed.endsWith("')")) caseLabel = trimmed;
            if (function != null && trimmed.equals("local positionals=\"\"") && positionals.containsKey(function)) {
                out.append(line, 0, line.indexOf("local")).append("local positionals=$(_metal_names ")
                        .append(positionals.get(function)).append(")\n");
                continue;
            }
            if (function != null && "'--profile')".equals(caseLabel) && trimmed.equals("return")
                    && profileOptions.contains(function)) {
                out.append(line, 0, line.indexOf("return"))
                        .append("COMPREPLY=( $(compgen -W \"$(_metal_names profile list)\" -- \"${curr_word}\") )\n");
                caseLabel = null;
            }
            if (!named && line.startsWith("function ")) {
                out.append(NAMES).append('\n');
                named = true;
            }
            out.append(line).append('\n');
        }
        String result = out.toString();
        return result.endsWith("\n\n") ? result.substring(0, result.length() - 1) : result;
    }

    private static final String NAMES = """
            # Host and profile names come from the state: the first column of 'metal host list' or
            # 'metal profile list', run with the --state FILE of the command line being completed
            # (bash splits --state=FILE into '--state' '=' 'FILE' unless '=' left COMP_WORDBREAKS).
            function _metal_names() {
              local i state=()
              for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
                case ${COMP_WORDS[i]} in
                  --state) if [[ ${COMP_WORDS[i+1]} == = ]]; then state=(--state "${COMP_WORDS[i+2]}")
                           else state=(--state "${COMP_WORDS[i+1]}"); fi ;;
                  --state=*) state=(--state "${COMP_WORDS[i]#--state=}") ;;
                esac
              done
              "${COMP_WORDS[0]}" "${state[@]}" "$@" 2>/dev/null | awk 'NR > 1 && $1 != "-" { print $1 }'
            }
            """;

    /** The completion functions of commands that take HOST or PROFILE arguments, and --profile options. */
    private static void names(picocli.CommandLine cmd, java.util.Map<String, String> positionals,
                              java.util.Set<String> profileOptions) {
        String function = "_picocli_" + cmd.getCommandSpec().qualifiedName("_").replace('-', '_');
        for (picocli.CommandLine.Model.PositionalParamSpec p : cmd.getCommandSpec().positionalParameters()) {
            if (p.paramLabel().equals("HOST")) positionals.putIfAbsent(function, "host list");
            if (p.paramLabel().equals("PROFILE")) positionals.putIfAbsent(function, "profile list");
        }
        if (cmd.getCommandSpec().findOption("--profile") != null) profileOptions.add(function);
        for (picocli.CommandLine sub : cmd.getSubcommands().values()) names(sub, positionals, profileOptions);
    }
}

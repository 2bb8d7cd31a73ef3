package dev.metal.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * Every command's --help at 80 columns: no line is longer, no line is broken inside a
 * token (a path, an address, an option), and descriptions flow: no line of a paragraph
 * ends while the next word would still have fitted on it.
 */
class HelpTest {
    static final int WIDTH = 80;

    private static List<CommandLine> all() {
        List<CommandLine> out = new ArrayList<>();
        collect(Cli.create(Context.system()), out);
        return out;
    }

    private static void collect(CommandLine cmd, List<CommandLine> out) {
        out.add(cmd);
        for (CommandLine sub : cmd.getSubcommands().values()) collect(sub, out);
    }

    private static String help(CommandLine cmd, int width) {
        cmd.getCommandSpec().usageMessage().width(width);
        return cmd.getUsageMessage(CommandLine.Help.Ansi.OFF);
    }

    @Test
    void noLineIsLongerThan80Columns() {
        List<String> problems = new ArrayList<>();
        for (CommandLine cmd : all()) {
            for (String line : help(cmd, WIDTH).split("\\R")) {
                if (line.length() > WIDTH) problems.add(cmd.getCommandSpec().qualifiedName() + ": " + line);
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void noLineIsBrokenInsideAToken() {
        List<String> problems = new ArrayList<>();
        for (CommandLine cmd : all()) {
            // Unwrapped, every word is whole: each word of the 80-column help must be one of them.
            Set<String> whole = new HashSet<>(List.of(help(cmd, 2000).split("\\s+")));
            for (String word : help(cmd, WIDTH).split("\\s+")) {
                if (!whole.contains(word)) problems.add(cmd.getCommandSpec().qualifiedName() + ": '" + word + "'");
            }
        }
        assertTrue(problems.isEmpty(), "broken tokens:\n" + String.join("\n", problems));
    }

    @Test
    void descriptionsFlowWithoutBreakingMidSentence() {
        List<String> problems = new ArrayList<>();
        for (CommandLine cmd : all()) {
            cmd.getCommandSpec().usageMessage().width(WIDTH);
            for (String key : List.of(UsageMessageSpec.SECTION_KEY_DESCRIPTION, UsageMessageSpec.SECTION_KEY_FOOTER)) {
                String text = cmd.getHelpSectionMap().get(key).render(cmd.getHelp());
                String[] lines = text.split("\\R");
                for (int i = 0; i + 1 < lines.length; i++) {
                    String a = lines[i];
                    String b = lines[i + 1];
                    if (a.isEmpty() || b.isEmpty() || a.startsWith(" ") || b.startsWith(" ")) continue;
                    String next = b.split(" ")[0];
                    if (a.length() + 1 + next.length() <= WIDTH && !a.endsWith(".") && !a.endsWith(":")) {
                        problems.add(cmd.getCommandSpec().qualifiedName() + ": '" + a + "' / '" + b + "'");
                    }
                }
            }
        }
        assertTrue(problems.isEmpty(), "lines that end mid-sentence:\n" + String.join("\n", problems));
    }
}

package dev.metal.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Help.Ansi.Text;
import picocli.CommandLine.Help.Column;
import picocli.CommandLine.Help.ColorScheme;
import picocli.CommandLine.Help.TextTable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * Help that flows: a description is written as paragraphs and wrapped to the width (80
 * columns unless the terminal says otherwise) only at spaces, never inside a token such
 * as {@code ~/.local/state} or {@code 127.0.0.1:8067}, where picocli's own wrapping would
 * break. Lines that start with a space are kept as they are (tables, examples).
 */
final class HelpFormat {
    private HelpFormat() {}

    static void install(CommandLine cli) {
        cli.setHelpFactory(Flowing::new);
        UsageMessageSpec usage = cli.getCommandSpec().usageMessage();
        // A command's summary in its parent's list (and its man page's NAME) is its first
        // sentence, whole, not the first line of its description.
        if (usage.header().length == 0 && usage.description().length > 0) {
            List<String> paragraphs = paragraphs(usage.description());
            if (!paragraphs.isEmpty()) usage.header(firstSentence(paragraphs.get(0)).replace("%", "%%"));
        }
        Map<String, CommandLine.IHelpSectionRenderer> sections = cli.getHelpSectionMap();
        sections.put(UsageMessageSpec.SECTION_KEY_HEADER, help -> "");
        sections.put(UsageMessageSpec.SECTION_KEY_DESCRIPTION, help -> paragraphs(help,
                help.commandSpec().usageMessage().description()));
        sections.put(UsageMessageSpec.SECTION_KEY_FOOTER, help -> paragraphs(help,
                help.commandSpec().usageMessage().footer()));
        for (CommandLine sub : cli.getSubcommands().values()) install(sub);
    }

    /**
     * Joins the lines of a description into paragraphs: a line that starts with a space,
     * an empty line and the line after them start anew; others continue the line before.
     */
    static List<String> paragraphs(String[] lines) {
        List<String> out = new ArrayList<>();
        StringBuilder current = null;
        for (String raw : lines) {
            for (String line : String.format(raw).split("\\R", -1)) {
                boolean verbatim = line.isEmpty() || line.startsWith(" ");
                if (verbatim) {
                    if (current != null) out.add(current.toString());
                    current = null;
                    out.add(line);
                } else if (current == null) {
                    current = new StringBuilder(line);
                } else {
                    current.append(' ').append(line.strip());
                }
            }
        }
        if (current != null) out.add(current.toString());
        return out;
    }

    private static String paragraphs(Help help, String[] lines) {
        int width = help.commandSpec().usageMessage().width();
        StringBuilder b = new StringBuilder();
        for (String p : paragraphs(lines)) {
            if (p.startsWith(" ") || p.isEmpty()) {
                b.append(p).append(System.lineSeparator());
                continue;
            }
            for (String line : wrap(p, width, width)) b.append(line).append(System.lineSeparator());
        }
        return b.toString();
    }

    static String firstSentence(String paragraph) {
        int end = paragraph.indexOf(". ");
        return end < 0 ? paragraph : paragraph.substring(0, end + 1);
    }

    /** Greedy wrapping at spaces only; a word longer than a line stands on a line of its own. */
    static List<String> wrap(String text, int first, int next) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        int limit = first;
        for (String word : text.strip().split(" +")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > limit) {
                lines.add(line.toString());
                line.setLength(0);
                limit = next;
            }
            if (line.length() > 0) line.append(' ');
            line.append(word);
        }
        if (line.length() > 0 || lines.isEmpty()) lines.add(line.toString());
        return lines;
    }

    /** picocli's help, with option, parameter and command lists in tables that wrap at spaces only. */
    static final class Flowing extends Help {
        Flowing(CommandSpec spec, ColorScheme scheme) {
            super(spec, scheme);
        }

        @Override
        public Layout createDefaultLayout(List<OptionSpec> options, List<PositionalParamSpec> positionals,
                                          ColorScheme scheme) {
            Layout layout = super.createDefaultLayout(options, positionals, scheme);
            return new Layout(scheme, SpaceWrapping.of(scheme, layout.textTable()), layout.optionRenderer(),
                    layout.parameterRenderer());
        }

        @Override
        public TextTable createTextTable(Map<?, ?> map) {
            return SpaceWrapping.of(colorScheme(), super.createTextTable(map));
        }
    }

    /** A text table whose wrapping columns break lines at spaces only. */
    static final class SpaceWrapping extends TextTable {
        private final ColorScheme scheme;

        private SpaceWrapping(ColorScheme scheme, Column[] columns) {
            super(scheme, columns);
            this.scheme = scheme;
        }

        static SpaceWrapping of(ColorScheme scheme, TextTable table) {
            Column[] columns = table.columns();
            Column[] copy = new Column[columns.length];
            for (int i = 0; i < columns.length; i++) {
                copy[i] = new Column(columns[i].width, columns[i].indent, columns[i].overflow);
            }
            SpaceWrapping t = new SpaceWrapping(scheme, copy);
            t.indentWrappedLines = table.indentWrappedLines;
            t.setAdjustLineBreaksForWideCJKCharacters(table.isAdjustLineBreaksForWideCJKCharacters());
            return t;
        }

        @Override
        public Cell putValue(int row, int col, Text value) {
            Column c = columns()[col];
            String plain = value.plainString();
            int room = c.width - c.indent;
            if (c.overflow != Column.Overflow.WRAP || plain.length() <= room || plain.contains("\n")) {
                return super.putValue(row, col, value);
            }
            Cell cell = null;
            int start = 0;
            int r = row;
            List<String> lines = wrap(plain, room, room - indentWrappedLines);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                int at = plain.indexOf(line, start);
                Text part = value.substring(at, at + line.length());
                if (i > 0) {
                    addEmptyRow();
                    r = rowCount() - 1;
                    part = scheme.text(" ".repeat(indentWrappedLines)).concat(part);
                }
                cell = super.putValue(r, col, part);
                start = at + line.length();
            }
            return cell;
        }
    }
}

package dev.metal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metal.testing.Tools;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.asciidoctor.Asciidoctor;
import org.asciidoctor.Attributes;
import org.asciidoctor.Options;
import org.asciidoctor.SafeMode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * The shell completions and man pages in completions/ and man/ are generated from the
 * command model. This test generates them into target/generated-docs and fails when the
 * committed files differ. To update the committed files after changing commands:
 * {@code mvn test -Dtest=DocsTest -Dmetal.docs.update=true}.
 */
class DocsTest {
    static final Path BASE = Path.of(System.getProperty("metal.basedir", "."));
    static final Path GENERATED = BASE.resolve("target/generated-docs");
    static Map<String, String> generated;

    @BeforeAll
    static void generate() throws IOException {
        generated = generateAll();
        for (Map.Entry<String, String> e : generated.entrySet()) {
            Path out = GENERATED.resolve(e.getKey());
            Files.createDirectories(out.getParent());
            Files.writeString(out, e.getValue());
        }
        if (Boolean.getBoolean("metal.docs.update")) {
            deleteStale("man");
            for (Map.Entry<String, String> e : generated.entrySet()) {
                Path out = BASE.resolve(e.getKey());
                Files.createDirectories(out.getParent());
                Files.writeString(out, e.getValue());
            }
        }
    }

    private static void deleteStale(String folder) throws IOException {
        Path dir = BASE.resolve(folder);
        if (!Files.isDirectory(dir)) return;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                if (!generated.containsKey(folder + "/" + f.getFileName())) Files.delete(f);
            }
        }
    }

    static Map<String, String> generateAll() {
        Map<String, String> files = new TreeMap<>();
        CommandLine root = Cli.create(Context.system());
        String script = CompletionCommand.script(root);
        files.put("completions/metal.bash", script);
        // zsh completes with the same script, through its bash completion emulation.
        files.put("completions/metal.zsh", "# zsh completion for metal: loads metal.bash beside this file, which turns on\n"
                + "# zsh's bash completion emulation itself. Use: source /path/to/completions/metal.zsh\n"
                + "source \"${${(%):-%x}:A:h}/metal.bash\"\n");
        List<CommandLine> commands = new ArrayList<>();
        collect(root, commands);
        try (Asciidoctor asciidoctor = Asciidoctor.Factory.create()) {
            for (CommandLine cmd : commands) {
                StringWriter adoc = new StringWriter();
                ManPageGenerator.writeSingleManPage(new PrintWriter(adoc), cmd.getCommandSpec());
                String name = cmd.getCommandSpec().qualifiedName("-");
                String troff = asciidoctor.convert(manSections(adoc.toString(), cmd), Options.builder()
                        .backend("manpage")
                        .safe(SafeMode.UNSAFE)
                        .standalone(true)
                        .attributes(Attributes.builder()
                                .attribute("docdate", "2026-11-21")
                                .attribute("revdate", "2026-11-21")
                                .attribute("reproducible", "")
                                .build())
                        .build());
                files.put("man/" + name + ".1", troff);
            }
        }
        return files;
    }

    /**
     * The sections man(7) names, in its order: headings without the colons of --help
     * ('Exit codes:' becomes EXIT STATUS), then ENVIRONMENT, FILES, EXAMPLES and SEE ALSO.
     */
    static String manSections(String adoc, CommandLine cmd) {
        String text = adoc.replaceAll("(?m)^==\\s+(.*?):?\\s*$", "== $1").replace("\n== Exit codes\n", "\n== Exit status\n");
        StringBuilder tail = new StringBuilder();
        tail.append("\n== Environment\n\n")
                .append("*METAL_STATE*::\n  The state file, when *--state* is not given.\n\n")
                .append("*XDG_STATE_HOME*::\n  Without either, the state file is *$XDG_STATE_HOME/metal/state.json*")
                .append(" (default *~/.local/state/metal/state.json*).\n\n");
        if (!text.contains("\n== Files\n")) {
            tail.append("== Files\n\n")
                    .append("*~/.local/state/metal/state.json*::\n  The state file (see ENVIRONMENT), mode 0600.\n\n")
                    .append("*STATE.journal*::\n  Every change, as JSON lines, beside the state file.\n\n");
        }
        String qualified = cmd.getCommandSpec().qualifiedName(" ");
        List<String> examples = Examples.BY_COMMAND.get(qualified.equals("metal") ? "metal"
                : qualified.substring("metal ".length()));
        if (examples == null) throw new IllegalStateException("no examples for " + qualified + " in Examples");
        tail.append("== Examples\n\n");
        for (int i = 0; i + 1 < examples.size(); i += 2) {
            tail.append("----\n$ ").append(examples.get(i)).append("\n----\n").append(examples.get(i + 1)).append("\n\n");
        }
        List<String> see = new ArrayList<>();
        if (cmd.getParent() != null) see.add(cmd.getParent().getCommandSpec().qualifiedName("-"));
        for (CommandLine sub : cmd.getSubcommands().values()) see.add(sub.getCommandSpec().qualifiedName("-"));
        if (cmd.getParent() != null && cmd.getSubcommands().isEmpty()) {
            for (CommandLine sibling : cmd.getParent().getSubcommands().values()) {
                if (sibling != cmd) see.add(sibling.getCommandSpec().qualifiedName("-"));
            }
        }
        tail.append("== See also\n\n").append(String.join(", ", see.stream().map(n -> "*" + n + "*(1)").toList()))
                .append("\n");
        // Environment comes before Files (man(7)): a footer's Files section moves after it.
        int files = text.indexOf("\n== Files\n");
        if (files >= 0) {
            int end = text.indexOf("\n== ", files + 1);
            String filesSection = end < 0 ? text.substring(files) : text.substring(files, end);
            text = text.substring(0, files) + (end < 0 ? "" : text.substring(end));
            String env = tail.substring(0, tail.indexOf("== Examples"));
            tail.replace(0, env.length(), env + filesSection.strip() + "\n\n");
        }
        return text.stripTrailing() + "\n" + tail;
    }

    @Test
    void manPagesHaveTheSectionsOfManSeven() {
        for (Map.Entry<String, String> e : generated.entrySet()) {
            if (!e.getKey().startsWith("man/")) continue;
            String page = e.getValue();
            List<String> order = new ArrayList<>();
            for (String line : page.split("\n")) if (line.startsWith(".SH ")) order.add(line.substring(4).replace("\"", ""));
            for (String section : List.of("NAME", "SYNOPSIS", "DESCRIPTION", "EXIT STATUS", "ENVIRONMENT", "FILES",
                    "EXAMPLES", "SEE ALSO")) {
                assertTrue(order.contains(section), e.getKey() + " lacks " + section + ": " + order);
            }
            assertTrue(order.indexOf("EXIT STATUS") < order.indexOf("ENVIRONMENT")
                    && order.indexOf("ENVIRONMENT") < order.indexOf("FILES")
                    && order.indexOf("FILES") < order.indexOf("EXAMPLES")
                    && order.indexOf("EXAMPLES") < order.indexOf("SEE ALSO"), e.getKey() + ": " + order);
            assertTrue(order.stream().noneMatch(h -> h.endsWith(":")), e.getKey() + ": " + order);
            assertTrue(page.contains("METAL_STATE"), e.getKey());
        }
    }

    private static void collect(CommandLine cmd, List<CommandLine> out) {
        out.add(cmd);
        for (CommandLine sub : cmd.getSubcommands().values()) collect(sub, out);
    }

    @Test
    void committedCompletionsAndManPagesMatchTheCommands() throws IOException {
        List<String> stale = new ArrayList<>();
        for (Map.Entry<String, String> e : generated.entrySet()) {
            Path committed = BASE.resolve(e.getKey());
            if (!Files.exists(committed) || !Files.readString(committed, StandardCharsets.UTF_8).equals(e.getValue())) {
                stale.add(e.getKey());
            }
        }
        try (Stream<Path> man = Files.list(BASE.resolve("man"))) {
            man.map(p -> "man/" + p.getFileName()).filter(p -> !generated.containsKey(p))
                    .forEach(p -> stale.add(p + " (no such command)"));
        }
        assertTrue(stale.isEmpty(), "out of date, regenerate with "
                + "'mvn test -Dtest=DocsTest -Dmetal.docs.update=true': " + stale);
    }

    @Test
    void everyCommandHasAManPageAndTheMainOneRenders() throws Exception {
        assertTrue(generated.containsKey("man/metal.1"));
        assertTrue(generated.containsKey("man/metal-import.1"));
        assertTrue(generated.get("man/metal.1").startsWith("'\\\" t") || generated.get("man/metal.1").contains(".TH"));
        assertTrue(generated.get("man/metal.1").contains("EXIT STATUS"),
                "exit codes documented in the man page");
        Path man = Tools.require("man", "man-db");
        Process p = new ProcessBuilder(man.toString(), "-l", "-P", "cat", GENERATED.resolve("man/metal.1").toString())
                .redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), text);
        assertTrue(text.contains("metal"), text);
    }
}

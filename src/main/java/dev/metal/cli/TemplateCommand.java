package dev.metal.cli;

import dev.metal.render.Templates;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "template", description = {"List and export the mustache templates 'metal render' uses.",
    "To customize: 'metal template export DIR', edit, then 'metal render ... --templates DIR'.",
    "A file DIR/NAME.mustache replaces the built-in NAME; the others stay built in. A {{variable}}",
    "the context lacks is an error naming the template, line and variable."},
        subcommands = {TemplateCommand.ListTemplates.class, TemplateCommand.Export.class})
public final class TemplateCommand {

    @Command(name = "list", description = "List the templates and where each comes from.")
    static final class ListTemplates extends BaseCommand {
        @Option(names = "--templates", paramLabel = "DIR", description = "Show which templates this folder overrides.")
        Path templates;

        @Override
        protected Result execute() {
            Templates t = new Templates(templates);
            Map<String, String> sources = new LinkedHashMap<>();
            for (String name : Templates.NAMES) sources.put(name, t.source(name));
            List<Map<String, Object>> rows = new java.util.ArrayList<>();
            sources.forEach((name, source) -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", name);
                m.put("source", source);
                rows.add(m);
            });
            return Results.of(JsonContract.list("templates", rows), out -> {
                Table table = new Table("TEMPLATE", "SOURCE");
                sources.forEach(table::row);
                table.print(out);
            });
        }
    }

    @Command(name = "export", description = "Write the built-in templates into DIR as NAME.mustache.")
    static final class Export extends BaseCommand {
        @Parameters(paramLabel = "DIR")
        Path dir;

        @Option(names = "--force", description = "Overwrite templates already in DIR.")
        boolean force;

        @Override
        protected Result execute() {
            List<Path> written = Templates.export(dir, force);
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("dir", dir.toString());
            json.put("templates", written.stream().map(Path::toString).toList());
            return Results.message("exported " + written.size() + " templates to " + dir, json);
        }
    }
}

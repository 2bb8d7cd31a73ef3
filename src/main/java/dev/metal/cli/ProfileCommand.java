package dev.metal.cli;

import dev.metal.model.Profile;
import dev.metal.profile.ProfileFiles;
import dev.metal.profile.ProfileFiles.Loaded;
import dev.metal.workflow.ProfileService;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "profile", description = "List, show, check and suggest hardware profiles.",
        subcommands = {ProfileCommand.List.class, ProfileCommand.Show.class, ProfileCommand.Check.class,
            ProfileCommand.Suggest.class},
        footerHeading = "%nFiles:%n",
        footer = ProfilesOption.FOOTER)
public final class ProfileCommand {

    @Command(name = "list", description = "List the profiles in the profiles folder.",
        footerHeading = "%nFiles:%n",
        footer = ProfilesOption.FOOTER)
    static final class List extends BaseCommand {
        @Mixin
        ProfilesOption profiles;

        @Override
        protected Result execute() {
            java.util.List<Loaded> loaded = ProfileFiles.loadFolder(profiles.resolve(root()));
            java.util.List<Map<String, Object>> rows = new ArrayList<>();
            for (Loaded l : loaded) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", l.profile().name());
                m.put("file", l.file().toString());
                m.put("description", l.profile().description());
                rows.add(m);
            }
            return Results.of(JsonContract.list("profiles", rows), out -> print(out, loaded));
        }

        private static void print(PrintWriter out, java.util.List<Loaded> loaded) {
            Table t = new Table("NAME", "SYSTEM", "NIC NAMES", "DISKS", "FILE");
            for (Loaded l : loaded) {
                Profile p = l.profile();
                t.row(p.name(), p.system() == null ? null : Objects.toString(p.system().model(), null),
                        nicNames(p), p.drives() == null ? null : p.drives().size(), l.file().getFileName());
            }
            t.print(out);
        }

        private static String nicNames(Profile p) {
            if (p.nics() == null) return null;
            java.util.List<String> names = new ArrayList<>();
            for (Profile.NicSpec n : p.nics()) {
                if (n.names() != null) n.names().stream().filter(Objects::nonNull).forEach(names::add);
            }
            return names.isEmpty() ? null : String.join(",", names);
        }
    }

    @Command(name = "show", description = "Show one profile file.",
        footerHeading = "%nFiles:%n",
        footer = ProfilesOption.FOOTER)
    static final class Show extends BaseCommand {
        @Parameters(paramLabel = "PROFILE", description = "The profile's name.")
        String name;

        @Mixin
        ProfilesOption profiles;

        @Override
        protected Result execute() {
            Loaded l = ProfileFiles.find(profiles.resolve(root()), name);
            String text = ProfileFiles.text(l);
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("file", l.file().toString());
            json.put("profile", l.profile());
            return Results.of(json, out -> {
                out.println("# " + l.file());
                out.print(text);
                if (!text.endsWith("\n")) out.println();
            });
        }
    }

    @Command(name = "check", description = {"Check profile files; every problem is listed with its line.",
        "Exit code 2 when any file has a problem. Patterns are globs: '*' any",
        "text, '?' one character, case-insensitive; a key left out is not checked."})
    static final class Check extends BaseCommand {
        @Parameters(paramLabel = "FILE", arity = "1..*", description = "Profile files (YAML).")
        java.util.List<Path> files;

        @Override
        protected Result execute() {
            Map<String, String> ok = ProfileFiles.check(files);
            java.util.List<Map<String, Object>> files = new ArrayList<>();
            ok.forEach((file, profile) -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("file", file);
                m.put("profile", profile);
                files.add(m);
            });
            return Results.of(JsonContract.list("files", files),
                    out -> ok.forEach((file, profile) -> out.println(file + ": ok (profile " + profile + ")")));
        }
    }

    @Command(name = "suggest", description = {
        "Write a profile from a scraped host, with its exact values, so that the",
        "host matches it: the quick way to onboard a new hardware type. The port",
        "with the host's management MAC is named mgmt0, the others ext0, ext1, ...;",
        "the smallest drive is the boot disk. Review it, loosen what may vary",
        "across your fleet, and save it in the profiles folder."})
    static final class Suggest extends BaseCommand {
        @Parameters(paramLabel = "HOST", description = "A host with an inventory.")
        String hostname;

        @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the profile to FILE, not stdout.")
        Path output;

        @Option(names = "--name", paramLabel = "NAME", description = "Profile name (default: from the model).")
        String name;

        @Option(names = "--force", description = "Overwrite FILE if it exists.")
        boolean force;

        @Override
        protected Result execute() {
            ProfileService.Suggestion s = new ProfileService(store()).suggest(hostname, name, output, force);
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("file", output == null ? null : output.toString());
            json.put("profile", s.profile());
            return Results.of(json, out -> {
                if (output != null) out.println("wrote " + output + " (profile " + s.profile().name() + ")");
                else out.print(s.text());
            });
        }
    }
}

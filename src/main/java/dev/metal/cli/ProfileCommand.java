package dev.metal.cli;

import dev.metal.model.BadInputException;
import dev.metal.model.Host;
import dev.metal.model.Profile;
import dev.metal.model.UserFiles;
import dev.metal.profile.ProfileFiles;
import dev.metal.profile.ProfileFiles.Loaded;
import dev.metal.profile.Suggester;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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

    static Loaded find(java.util.List<Loaded> loaded, String name, Path dir) {
        return loaded.stream().filter(l -> l.profile().name().equals(name)).findFirst()
                .orElseThrow(() -> new BadInputException("no profile " + name + " in " + dir));
    }

    @Command(name = "list", description = "List the profiles in the profiles folder.",
        footerHeading = "%nFiles:%n",
        footer = ProfilesOption.FOOTER)
    static final class List extends BaseCommand {
        @Mixin
        ProfilesOption profiles;

        @Override
        protected Result execute() {
            java.util.List<Loaded> loaded = ProfileFiles.loadFolder(profiles.resolve(root()));
            return new Result() {
                @Override
                public Object json() {
                    java.util.List<Map<String, Object>> rows = new ArrayList<>();
                    for (Loaded l : loaded) {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("name", l.profile().name());
                        m.put("file", l.file().toString());
                        m.put("description", l.profile().description());
                        rows.add(m);
                    }
                    return rows;
                }

                @Override
                public void print(PrintWriter out) {
                    Table t = new Table("NAME", "SYSTEM", "NIC NAMES", "DISKS", "FILE");
                    for (Loaded l : loaded) {
                        Profile p = l.profile();
                        t.row(p.name(), p.system() == null ? null : Objects.toString(p.system().model(), null),
                                nicNames(p), p.drives() == null ? null : p.drives().size(), l.file().getFileName());
                    }
                    t.print(out);
                }
            };
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
        @Parameters(paramLabel = "NAME", description = "The profile's name.")
        String name;

        @Mixin
        ProfilesOption profiles;

        @Override
        protected Result execute() throws IOException {
            Path dir = profiles.resolve(root());
            Loaded l = find(ProfileFiles.loadFolder(dir), name, dir);
            String text = UserFiles.readText(l.file());
            return new Result() {
                @Override
                public Object json() {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("file", l.file().toString());
                    m.put("profile", l.profile());
                    return m;
                }

                @Override
                public void print(PrintWriter out) {
                    out.println("# " + l.file());
                    out.print(text);
                    if (!text.endsWith("\n")) out.println();
                }
            };
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
            java.util.List<String> problems = new ArrayList<>();
            Map<String, String> ok = new LinkedHashMap<>();
            for (Path f : files) {
                try {
                    ok.put(f.toString(), ProfileFiles.load(f).profile().name());
                } catch (BadInputException e) {
                    problems.addAll(e.problems());
                }
            }
            if (!problems.isEmpty()) throw new BadInputException(problems);
            return new Result() {
                @Override
                public Object json() {
                    return ok.entrySet().stream().map(e -> Map.of("file", e.getKey(), "profile", e.getValue())).toList();
                }

                @Override
                public void print(PrintWriter out) {
                    ok.forEach((file, profile) -> out.println(file + ": ok (profile " + profile + ")"));
                }
            };
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
        protected Result execute() throws IOException {
            Host h = HostCommand.find(store().load(), hostname);
            if (h.inventory() == null || h.inventory().systems().isEmpty()) {
                throw new BadInputException(hostname + " has no inventory; scrape it first");
            }
            Profile p = Suggester.suggest(h.inventory(), name, h.mgmtMac());
            String text = ProfileFiles.write(p, java.util.List.of(
                    "Suggested by 'metal profile suggest' from " + hostname + " (inventory of "
                            + h.inventory().scrapedAt() + ").",
                    "Patterns: '*' any text, '?' one character. Leave a key out to not check it."));
            // What is written must load again: a suggestion that fails its own check is a bug here.
            ProfileFiles.parse(text, "suggested profile", null);
            if (output != null) {
                if (Files.exists(output) && !force) {
                    throw new BadInputException(output + " exists; use --force to overwrite it");
                }
                Path parent = output.toAbsolutePath().getParent();
                if (parent != null) Files.createDirectories(parent);
                Files.writeString(output, text, StandardCharsets.UTF_8);
            }
            return new Result() {
                @Override
                public Object json() {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("file", output == null ? null : output.toString());
                    m.put("profile", p);
                    return m;
                }

                @Override
                public void print(PrintWriter out) {
                    if (output != null) out.println("wrote " + output + " (profile " + p.name() + ")");
                    else out.print(text);
                }
            };
        }
    }
}

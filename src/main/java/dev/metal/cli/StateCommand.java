package dev.metal.cli;

import dev.metal.model.BadInputException;
import dev.metal.model.SystemicException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "state", description = "The whole state as JSON: for backups, diffs, scripts, and moving between engines.",
        subcommands = {StateCommand.Export.class, StateCommand.Import.class})
public final class StateCommand {

    @Command(name = "export", description = {
        "Write the whole state as one JSON document: hosts with their inventories, matches,",
        "addresses, tokens and certificate pins, the site plan, pool targets and the journal.",
        "BMC password references are in it as in the state: keep it as private (-o writes mode 0600)."})
    static final class Export extends BaseCommand {
        @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "Write to FILE (mode 0600) instead of stdout.")
        Path out;

        @Override
        protected Result execute() throws IOException {
            if (out == null) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                store().export(bytes);
                String text = bytes.toString(StandardCharsets.UTF_8);
                return new Result() {
                    @Override
                    public Object json() {
                        return null;
                    }

                    @Override
                    public void print(java.io.PrintWriter w) {
                        w.println(text);
                    }

                    @Override
                    public int exitCode() {
                        return ExitCodes.OK;
                    }
                };
            }
            Path target = out.toAbsolutePath();
            if (!Files.isDirectory(target.getParent())) {
                throw new BadInputException("the folder of " + out + " does not exist");
            }
            Path temp = Files.createTempFile(target.getParent(), target.getFileName() + ".", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                try (OutputStream o = Files.newOutputStream(temp)) {
                    store().export(o);
                }
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(temp);
            }
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("file", out.toString());
            json.put("state", store().location());
            return Results.message("exported " + store().location() + " to " + out, json);
        }

        @Override
        protected void emit(Result result) {
            if (result.json() == null) {
                // The export is JSON already, with or without --json.
                result.print(context().out());
                context().out().flush();
            } else {
                super.emit(result);
            }
        }
    }

    @Command(name = "import", description = {
        "Load a state export (or a JSON state file of an earlier metal) into an empty state,",
        "of either engine: all of it in one transaction, or nothing."})
    static final class Import extends BaseCommand {
        @Parameters(paramLabel = "FILE", description = "The export, as 'metal state export' wrote it.")
        Path file;

        @Override
        protected Result execute() {
            int hosts;
            try (InputStream in = Files.newInputStream(file)) {
                hosts = store().importState(in, file.toString());
            } catch (NoSuchFileException e) {
                throw new BadInputException("cannot read " + file + ": no such file");
            } catch (IOException e) {
                throw new SystemicException("cannot read " + file + ": " + e.getMessage(), e);
            }
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("file", file.toString());
            json.put("state", store().location());
            json.put("hosts", hosts);
            return Results.message("imported " + hosts + " hosts from " + file + " into " + store().location(), json);
        }
    }
}

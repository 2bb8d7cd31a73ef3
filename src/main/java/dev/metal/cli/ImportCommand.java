package dev.metal.cli;

import dev.metal.importer.RackCsv;
import dev.metal.importer.RackImporter;
import dev.metal.workflow.ImportService;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "import",
        description = {"Import a rack CSV into the state file.",
            "The whole file is checked first; on any error nothing is written and every problem is",
            "listed with its line. Importing the same file again changes nothing."},
        footerHeading = "%nColumns (header names are case-insensitive):%n"
)
public final class ImportCommand extends BaseCommand {
    @Parameters(paramLabel = "FILE", description = "The rack CSV (see the columns below).")
    Path file;

    @Option(names = "--dry-run", description = "Show what would be added, updated and unchanged; write nothing.")
    boolean dryRun;

    @Option(names = "--update", description = "Let rows change hosts that are already known.")
    boolean update;

    @Option(names = "--bmc-user", paramLabel = "USER",
            description = "BMC user for the rows that leave bmc_user out or empty.")
    String bmcUser;

    @Option(names = "--bmc-password", paramLabel = "SECRET",
            description = "BMC password for the rows that leave bmc_password out or empty: env:VAR or file:PATH "
                    + "(a literal works too, but shows in the process list).")
    String bmcPassword;

    @Override
    protected Result execute() {
        RackImporter.Outcome outcome = new ImportService(store()).importFile(file, update, dryRun,
                new RackCsv.Defaults(bmcUser, bmcPassword));
        return Results.of(outcome, out -> print(out, outcome));
    }

    private static void print(PrintWriter out, RackImporter.Outcome outcome) {
        String verb = outcome.dryRun() ? "would import" : "imported";
        out.printf("%s %s: %d added, %d updated, %d unchanged%n", verb, outcome.file(),
                outcome.added().size(), outcome.updated().size(), outcome.unchanged().size());
        if (outcome.dryRun()) {
            list(out, "add", outcome.added());
            list(out, "update", outcome.updated());
        }
    }

    private static void list(PrintWriter out, String what, List<String> hosts) {
        for (String h : hosts) out.println("  " + what + " " + h);
    }

    /** The help lists the columns the reader knows, from the reader's own table. */
    static String[] columnHelp() {
        List<String> lines = new java.util.ArrayList<>();
        RackCsv.COLUMNS.forEach((column, what) -> {
            List<String> wrapped = HelpFormat.wrap(what, 80 - 16, 80 - 16);
            for (int i = 0; i < wrapped.size(); i++) {
                lines.add(String.format("  %-13s %s", i == 0 ? column : "", wrapped.get(i)));
            }
        });
        return lines.toArray(String[]::new);
    }
}

package dev.metal.cli;

import dev.metal.importer.RackCsv;
import dev.metal.importer.RackImporter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "import",
        description = {"Import a rack CSV into the state file.",
            "The whole file is checked first; on any error nothing is written and every problem is",
            "listed with its line. Importing the same file again changes nothing."},
        footerHeading = "%nColumns (header names are case-insensitive):%n",
        footer = {
            "  hostname      host name (letters, digits, '-', '.'), unique",
            "  rack          rack name",
            "  u             rack unit, 1-60",
            "  bmc_mac       MAC of the BMC port, unique (aa:bb:.., aa-bb-.., aabb.ccdd.eeff, aabbccddeeff)",
            "  bmc_address   optional: IP, name, host:port or URL (https unless http:// is given);",
            "                else found by 'metal discover'",
            "  bmc_user      BMC user name",
            "  bmc_password  BMC password: a literal, env:VAR or file:PATH (read when used)",
            "  ipmi_port     optional: IPMI UDP port, default 623",
            "  mgmt_mac      MAC of the management (PXE) NIC, unique",
            "  serial        optional: chassis serial number",
            "  tags          optional: tags separated by ';' or spaces"
        })
public final class ImportCommand extends BaseCommand {
    @Parameters(paramLabel = "FILE.csv", description = "The rack CSV.")
    Path file;

    @Option(names = "--dry-run", description = "Show what would be added, updated and unchanged; write nothing.")
    boolean dryRun;

    @Option(names = "--update", description = "Let rows change hosts that are already known.")
    boolean update;

    @Override
    protected Result execute() {
        RackImporter.Outcome outcome = new RackImporter(store()).importFile(file, update, dryRun);
        return new Result() {
            @Override
            public Object json() {
                return outcome;
            }

            @Override
            public void print(PrintWriter out) {
                String verb = outcome.dryRun() ? "would import" : "imported";
                out.printf("%s %s: %d added, %d updated, %d unchanged%n", verb, outcome.file(),
                        outcome.added().size(), outcome.updated().size(), outcome.unchanged().size());
                if (outcome.dryRun()) {
                    list(out, "add", outcome.added());
                    list(out, "update", outcome.updated());
                }
            }
        };
    }

    private static void list(PrintWriter out, String what, List<String> hosts) {
        for (String h : hosts) out.println("  " + what + " " + h);
    }

    /** The footer and the reader share one list of columns; a test keeps them equal. */
    static Map<String, String> columns() {
        return RackCsv.COLUMNS;
    }
}

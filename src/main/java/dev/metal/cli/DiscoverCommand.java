package dev.metal.cli;

import dev.metal.discover.Discoverer;
import dev.metal.discover.Leases;
import dev.metal.workflow.DiscoverService;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "discover",
        description = {"Find each host's BMC address in a DHCP lease file, by the BMC's MAC.",
            "Hosts found move from imported to discovered; hosts without a lease are listed",
            "(exit 3 when a host has neither a lease nor an address from the rack CSV)."})
public final class DiscoverCommand extends BaseCommand {
    @Option(names = "--leases", required = true, paramLabel = "FILE",
            description = "The lease file: dnsmasq.leases, dhcpd.leases or Kea's kea-leases4.csv.")
    Path leases;

    @Option(names = "--format", paramLabel = "F", completionCandidates = FormatValues.class,
            description = "The lease file format: ${COMPLETION-CANDIDATES} (default: recognized from the content).")
    Leases.Format format;

    @Option(names = "--scheme", paramLabel = "S", defaultValue = "https",
            description = "The BMCs' web service scheme: https or http (default: ${DEFAULT-VALUE}).")
    String scheme;

    @Option(names = "--port", paramLabel = "N", defaultValue = "0",
            description = "The BMCs' web service port (default: the scheme's, 443 or 80).")
    int port;

    @Parameters(paramLabel = "HOST", arity = "0..*", description = "Only these hosts (default: all).")
    List<String> hosts = List.of();

    /** The formats in the lower case users type. */
    static final class FormatValues extends java.util.ArrayList<String> {
        FormatValues() {
            for (Leases.Format f : Leases.Format.values()) add(f.name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    @Override
    protected Result execute() {
        Discoverer.Outcome outcome = new DiscoverService(store()).discover(leases, format, hosts, scheme, port);
        return Results.of(outcome, out -> print(out, outcome),
                outcome.missing().isEmpty() ? ExitCodes.OK : ExitCodes.PARTIAL);
    }

    private static void print(PrintWriter out, Discoverer.Outcome outcome) {
        Table t = new Table("HOSTNAME", "BMC MAC", "BMC ADDRESS", "RESULT");
        for (Discoverer.Entry e : outcome.hosts()) t.row(e.hostname(), e.bmcMac(), e.address(), e.outcome());
        t.print(out);
        long found = outcome.hosts().stream().filter(e -> e.outcome().equals("found")).count();
        out.printf("%d found, %d without a lease%n", found,
                outcome.hosts().stream().filter(e -> e.outcome().startsWith("no lease")).count());
    }
}

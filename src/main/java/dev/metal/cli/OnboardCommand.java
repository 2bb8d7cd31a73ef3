package dev.metal.cli;

import dev.metal.bmc.ProviderOptions;
import dev.metal.discover.Leases;
import dev.metal.importer.RackCsv;
import dev.metal.onboard.OnboardReport;
import dev.metal.onboard.OnboardService;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "onboard",
        description = {"A rack CSV to ready servers, and a report of which to pull.",
            "Imports the file, then takes every host on its own, many at once: its BMC",
            "from the leases, its inventory from the BMC, its profile match. Then it",
            "writes static DHCP reservations for the BMCs and management NICs to --out",
            "(dnsmasq, ISC dhcpd and Kea, as 'metal render dhcp' does). It ends with a",
            "report in rack and U order: each host ready or faulty, with the fault in",
            "words (DIMM slot, NIC slot, missing drive, a BMC that never answered).",
            "Exit 0 when all are ready, 3 when some are faulty, 2 on bad input.",
            "Run it again after a fix on the floor: ready hosts are left as they are,",
            "the others go through the steps again."},
        footerHeading = "%nFiles:%n",
        footer = ProfilesOption.FOOTER)
public final class OnboardCommand extends BaseCommand {
    @Parameters(paramLabel = "RACK.csv", description = "The rack CSV (columns: see 'metal import --help').")
    Path csv;

    @Option(names = "--leases", required = true, paramLabel = "FILE",
            description = "The DHCP lease file the BMCs are in: dnsmasq.leases, dhcpd.leases or Kea's kea-leases4.csv.")
    Path leases;

    @Option(names = "--format", paramLabel = "F",
            description = "The lease file format: ${COMPLETION-CANDIDATES} (default: recognized from the content).")
    Leases.Format format;

    @Option(names = "--scheme", paramLabel = "S", defaultValue = "https",
            description = "The BMCs' web service scheme: https or http (default: ${DEFAULT-VALUE}).")
    String scheme;

    @Option(names = "--port", paramLabel = "P", defaultValue = "0",
            description = "The BMCs' web service port (default: the scheme's, 443 or 80).")
    int port;

    @Mixin
    ProfilesOption profiles;

    @Option(names = "--site", paramLabel = "FILE",
            description = "A site plan to store first (default: the one in the state).")
    Path site;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Where the DHCP reservations go (default: 'dhcp' beside the state file).")
    Path out;

    @Option(names = "--bmc-user", paramLabel = "USER",
            description = "BMC user for the rows that leave bmc_user out or empty.")
    String bmcUser;

    @Option(names = "--bmc-password", paramLabel = "SECRET",
            description = "BMC password for the rows that leave bmc_password out or empty: env:VAR or file:PATH.")
    String bmcPassword;

    @Mixin
    ParallelOption parallel;

    @Mixin
    TimeoutOption timeout;

    @Option(names = "--retries", paramLabel = "N", defaultValue = "1",
            description = "Retries of a BMC request on timeouts and 5xx answers (default: ${DEFAULT-VALUE}).")
    int retries;

    @Mixin
    QuietOption quiet;

    @Override
    public Map<String, String> defaults() {
        return Map.of("--parallel", "32", "--timeout", "15s");
    }

    @Override
    protected Result execute() {
        ProviderOptions providers = new ProviderOptions(timeout.timeout, retries, 2, false, log(), services().clock());
        Path dir = out != null ? out : besideState("dhcp");
        OnboardService.Request request = new OnboardService.Request(csv, new RackCsv.Defaults(bmcUser, bmcPassword),
                leases, format, scheme, port, profiles.resolve(root()), site, dir, parallel.parallel, providers);
        OnboardReport report;
        try (LiveProgress progress = LiveProgress.open(context(), "onboard", quiet.quiet)) {
            report = new OnboardService(services(), store(), log()).run(request, progress);
        }
        return Results.of(report, o -> print(o, report), report.faulty() == 0 ? ExitCodes.OK : ExitCodes.PARTIAL);
    }

    static void print(PrintWriter out, OnboardReport report) {
        Table t = new Table("RACK", "U", "HOST", "STATUS", "PROFILE", "FAULT");
        for (OnboardReport.HostLine h : report.hosts()) {
            t.row(h.rack(), h.u(), h.hostname(), h.status(), h.profile(), h.faults().isEmpty() ? null : summary(h));
        }
        t.print(out);
        out.printf("%d ready, %d faulty%n", report.ready(), report.faulty());
        List<OnboardReport.HostLine> faulty = report.hosts().stream().filter(h -> !h.isReady()).toList();
        if (!faulty.isEmpty()) {
            out.println();
            out.println("To pull or fix:");
            for (OnboardReport.HostLine h : faulty) {
                out.printf("  %s U%d  %s (%s):%n", h.rack(), h.u(), h.hostname(), h.step());
                for (String f : h.faults()) out.println("    - " + f);
            }
        }
        OnboardReport.Reservations r = report.reservations();
        out.println();
        out.printf("DHCP reservations in %s: %s%n", r.dir(), String.join(", ", r.files()));
    }

    /** The first fault, as much of it as a table cell holds; the list under the table has them all. */
    private static String summary(OnboardReport.HostLine h) {
        String first = h.faults().get(0);
        int colon = first.indexOf(':');
        String shortText = colon > 0 && colon < 40 ? first.substring(0, colon) : first;
        if (shortText.length() > 40) shortText = shortText.substring(0, 37) + "...";
        return h.faults().size() == 1 ? shortText : shortText + " (+" + (h.faults().size() - 1) + ")";
    }
}

package dev.metal.cli;

import dev.metal.inventory.ScrapeService;
import dev.metal.inventory.ScrapeService.HostResult;
import dev.metal.redfish.RedfishClient;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "scrape",
        description = {"Read the hardware inventory of hosts from their BMCs over Redfish.",
            "Many hosts at once; each BMC gets at most --bmc-concurrency requests at a time, its session is",
            "always ended, and its TLS certificate is pinned at first contact (a later change is an error).",
            "Hosts move to inventoried; a ready host stays ready unless its hardware changed.",
            "Provisioning, active and quarantined hosts are refused unless --force (read only, state kept)."})
public final class ScrapeCommand extends BaseCommand {
    @Parameters(paramLabel = "HOST", arity = "0..*", description = "Hosts to scrape.")
    List<String> hosts = List.of();

    @Option(names = "--all", description = "Scrape every host that can be scraped.")
    boolean all;

    @Option(names = "--rack", paramLabel = "R", description = "Scrape the hosts of this rack.")
    String rack;

    @Option(names = "--parallel", paramLabel = "N", defaultValue = "32",
            description = "Hosts scraped at once (default: ${DEFAULT-VALUE}).")
    int parallel;

    @Option(names = "--bmc-concurrency", paramLabel = "N", defaultValue = "2",
            description = "Requests in flight per BMC (default: ${DEFAULT-VALUE}; BMCs are weak).")
    int bmcConcurrency;

    @Option(names = "--timeout", paramLabel = "DUR", defaultValue = "30s", converter = DurationConverter.class,
            description = "Time to wait for one answer before retrying (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--retries", paramLabel = "N", defaultValue = "2",
            description = "Retries on timeouts and 5xx answers, with backoff (default: ${DEFAULT-VALUE}).")
    int retries;

    @Option(names = "--stats", description = "Show requests, bytes and time per host.")
    boolean stats;

    @Option(names = "--force", description = "Also read provisioning, active and quarantined hosts (state unchanged).")
    boolean force;

    @Option(names = "--insecure", description = "Do not check or pin BMC certificates.")
    boolean insecure;

    @Option(names = "--repin", description = "Accept the certificate each BMC shows now and pin it (after a BMC was "
            + "replaced or re-keyed).")
    boolean repin;

    @Override
    protected Result execute() {
        if (parallel < 1) throw new dev.metal.model.BadInputException("--parallel must be at least 1");
        if (bmcConcurrency < 1) throw new dev.metal.model.BadInputException("--bmc-concurrency must be at least 1");
        RedfishClient.Options client = RedfishClient.Options.defaults()
                .withReadTimeout(timeout)
                .withMaxConcurrent(bmcConcurrency)
                .withRetries(Math.max(0, retries))
                .withInsecure(insecure);
        ScrapeService.Options options = new ScrapeService.Options(client, parallel, force, repin);
        long start = System.nanoTime();
        List<HostResult> results;
        try (ProgressBar bar = ProgressBar.open(context(), "scrape")) {
            results = new ScrapeService(store(), Clock.systemUTC()).scrape(hosts, all, rack, options,
                    (o, done, total) -> bar.step(o.hostname(), o.ok() ? null : o.error(), done, total));
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        return new Result() {
            @Override
            public Object json() {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("hosts", results);
                m.put("ok", results.stream().filter(HostResult::ok).count());
                m.put("failed", results.stream().filter(HostResult::failed).count());
                m.put("millis", millis);
                return m;
            }

            @Override
            public void print(PrintWriter out) {
                Table t = stats
                        ? new Table("HOSTNAME", "RESULT", "STATE", "CPUS", "DIMMS", "DRIVES", "NICS", "REQUESTS", "BYTES",
                                "TIME")
                        : new Table("HOSTNAME", "RESULT", "STATE", "CPUS", "DIMMS", "DRIVES", "NICS");
                for (HostResult r : results) {
                    String result = r.ok() ? (r.warnings().isEmpty() ? "ok" : "ok (" + r.warnings().size() + " warnings)")
                            : r.result() + ": " + r.error();
                    if (stats) {
                        t.row(r.hostname(), result, r.state(), r.cpus(), r.dimms(), r.drives(), r.nics(), r.requests(),
                                r.bytes(), String.format("%.2f s", r.millis() / 1000.0));
                    } else {
                        t.row(r.hostname(), result, r.state(), r.cpus(), r.dimms(), r.drives(), r.nics());
                    }
                }
                t.print(out);
                long ok = results.stream().filter(HostResult::ok).count();
                long failed = results.stream().filter(HostResult::failed).count();
                out.printf("%d ok, %d failed, %d skipped in %.1f s%n", ok, failed, results.size() - ok - failed,
                        millis / 1000.0);
            }

            @Override
            public int exitCode() {
                return ExitCodes.forHosts(results.stream().filter(HostResult::failed).count(),
                        results.stream().filter(HostResult::ok).count());
            }
        };
    }
}

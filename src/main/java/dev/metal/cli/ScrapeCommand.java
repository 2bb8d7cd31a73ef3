package dev.metal.cli;

import dev.metal.bmc.ProviderOptions;
import dev.metal.inventory.ScrapeService;
import dev.metal.inventory.ScrapeService.HostResult;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "scrape",
        description = {"Read the hardware inventory of hosts from their BMCs over Redfish.",
            "Many hosts at once; each BMC gets at most --bmc-concurrency requests at a time, its session is",
            "always ended, and its TLS certificate is pinned at first contact (a later change is an error).",
            "Hosts move to inventoried; a ready or failed host keeps its state unless",
            "its hardware changed.",
            "Provisioning, active and quarantined hosts are refused unless --force (read only, state kept)."})
public final class ScrapeCommand extends BaseCommand {
    @Mixin
    HostOptions hosts;

    @Mixin
    ParallelOption parallel;

    @Option(names = "--bmc-concurrency", paramLabel = "N", defaultValue = "2",
            description = "Requests in flight per BMC (default: ${DEFAULT-VALUE}; BMCs are weak).")
    int bmcConcurrency;

    @Mixin
    TimeoutOption timeout;

    @Option(names = "--retries", paramLabel = "N", defaultValue = "2",
            description = "Retries on timeouts and 5xx answers, with backoff (default: ${DEFAULT-VALUE}).")
    int retries;

    @Mixin
    QuietOption quiet;

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
    public Map<String, String> defaults() {
        // BMCs are slow and metal waits on them, not on the CPU: every host of a fleet is read at once, up to
        // this many; each BMC still gets only --bmc-concurrency requests at a time.
        return Map.of("--parallel", String.valueOf(ScrapeService.DEFAULT_PARALLEL), "--timeout", "30s");
    }

    @Override
    protected Result execute() {
        ProviderOptions providers = new ProviderOptions(timeout.timeout, retries, bmcConcurrency, insecure, log(),
                services().clock());
        ScrapeService.Options options = new ScrapeService.Options(parallel.parallel, force, repin, providers);
        long start = System.nanoTime();
        List<HostResult> results;
        try (LiveProgress progress = LiveProgress.open(context(), "scrape", quiet.quiet)) {
            results = new ScrapeService(services(), store()).scrape(hosts.selection(), options, progress);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        long ok = results.stream().filter(HostResult::ok).count();
        long failed = results.stream().filter(HostResult::failed).count();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("hosts", results);
        json.put("ok", ok);
        json.put("failed", failed);
        json.put("millis", millis);
        return Results.of(json, out -> print(out, results, ok, failed, millis), ExitCodes.forHosts(failed, ok));
    }

    private void print(PrintWriter out, List<HostResult> results, long ok, long failed, long millis) {
        Table t = stats
                ? new Table("HOSTNAME", "RESULT", "STATE", "CPUS", "DIMMS", "DRIVES", "NICS", "REQUESTS", "BYTES", "TIME")
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
        out.printf("%d ok, %d failed, %d skipped in %.1f s%n", ok, failed, results.size() - ok - failed, millis / 1000.0);
    }
}

package dev.metal.inventory;

import dev.metal.bmc.Bmcs;
import dev.metal.bmc.CertificatePins;
import dev.metal.bmc.InventoryReading;
import dev.metal.bmc.ProviderOptions;
import dev.metal.model.BadInputException;
import dev.metal.model.Host;
import dev.metal.model.HostState;
import dev.metal.model.Inventory;
import dev.metal.state.Store;
import dev.metal.util.Parallel;
import dev.metal.util.Progress;
import dev.metal.workflow.HostSelection;
import dev.metal.workflow.Services;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code metal scrape}: picks the hosts, reads their BMCs with no lock held, then stores
 * every inventory (and every certificate pinned on first contact) in one state update.
 * Scraping is read-only on the BMC, but hosts that install or run an OS are still left
 * alone unless --force.
 */
public final class ScrapeService {
    /**
     * Hosts read at once unless --parallel says otherwise: enough for the whole of a large fleet, since
     * the time goes into waiting for BMCs (virtual threads on JDK 21+, a platform thread per host on 17).
     */
    public static final int DEFAULT_PARALLEL = 2048;

    /** States a host may be scraped from without --force. */
    public static final Set<HostState> SCRAPABLE = EnumSet.of(HostState.IMPORTED, HostState.DISCOVERED,
            HostState.INVENTORIED, HostState.READY, HostState.FAILED);

    /**
     * @param parallel hosts scraped at once
     * @param force    also read provisioning, active and quarantined hosts (their state is kept)
     * @param repin    take the certificate each BMC shows now and pin it
     */
    public record Options(int parallel, boolean force, boolean repin, ProviderOptions providers) {
        public Options {
            if (parallel < 1) throw new BadInputException("--parallel must be at least 1");
            if (providers.maxConcurrent() < 1) throw new BadInputException("--bmc-concurrency must be at least 1");
        }
    }

    /** One host's line in the result. */
    public record HostResult(String hostname, String result, String error, HostState state, Integer cpus,
                             Integer dimms, Integer drives, Integer nics, List<String> warnings, long requests,
                             long bytes, long millis, int depth) {
        public boolean ok() {
            return "ok".equals(result);
        }

        public boolean failed() {
            return "failed".equals(result);
        }
    }

    private final Services services;
    private final Store store;

    public ScrapeService(Services services, Store store) {
        this.services = services;
        this.store = store;
    }

    /** @param progress told of each host's steps; null: nobody */
    public List<HostResult> scrape(HostSelection selection, Options options, Progress progress) {
        List<Host> chosen = new ArrayList<>();
        List<HostResult> skipped = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Host h : selection.hosts(store, false)) {
            String why = null;
            if (h.bmc().address() == null) {
                why = "no BMC address (run metal discover, or give bmc_address in the rack CSV)";
            } else if (!options.force() && !SCRAPABLE.contains(h.state())) {
                why = h.state() + "; scrape leaves provisioning, active and quarantined hosts alone (--force reads "
                        + "the inventory anyway, without changing the host's state)";
            }
            if (why == null) {
                chosen.add(h);
            } else if (selection.byName()) {
                problems.add(h.hostname() + ": " + why);
            } else {
                skipped.add(new HostResult(h.hostname(), "skipped", why, h.state(), null, null, null, null, List.of(),
                        0, 0, 0, 0));
            }
        }
        if (!problems.isEmpty()) throw new BadInputException(problems);
        Bmcs.requireCredentials(chosen);
        Pins pins = new Pins();
        Bmcs bmcs = services.bmcs(options.providers(), new CertificatePins(pins, options.repin()), Duration.ZERO);

        Progress told = progress == null ? Progress.NONE : progress;
        List<InventoryReading> readings = Parallel.mapWaiting(chosen, options.parallel(), "scrape", h -> {
            told.working(h.hostname(), h.state().label(), "reading the BMC");
            InventoryReading r = bmcs.inventory(h);
            if (r.ok()) told.working(h.hostname(), null, "read, " + r.requests() + " requests");
            else told.failed(h.hostname(), null, r.error());
            return r;
        }, (r, finished) -> {});
        List<HostResult> results = store.update(tx -> {
            List<HostResult> out = new ArrayList<>();
            for (InventoryReading o : readings) {
                Host h = tx.host(o.hostname());
                if (h == null) continue; // removed while we were reading its BMC
                if (!o.ok()) {
                    Map<String, Object> detail = new LinkedHashMap<>();
                    String error = dev.metal.util.Messages.forHost(h.hostname(), o.error());
                    detail.put("error", error);
                    tx.journal(h.hostname(), "scrape-failed", detail);
                    out.add(new HostResult(h.hostname(), "failed", error, h.state(), null, null, null, null,
                            List.of(), o.requests(), o.bytes(), o.time().toMillis(), o.depth()));
                    continue;
                }
                tx.put(stored(h, o, pins.get(h.hostname()), tx.now()), "inventoried", journalDetail(o));
                Host now = tx.host(h.hostname());
                told.done(h.hostname(), now.state().label(), "inventory stored");
                Inventory inv = o.inventory();
                out.add(new HostResult(h.hostname(), "ok", null, now.state(), count(inv, "cpus"),
                        count(inv, "dimms"), count(inv, "drives"), count(inv, "nics"), inv.warnings(), o.requests(),
                        o.bytes(), o.time().toMillis(), o.depth()));
            }
            return out;
        });
        List<HostResult> all = new ArrayList<>(results);
        all.addAll(skipped);
        return all;
    }

    /** The certificates met for the first time (or re-pinned) during a scrape, stored with the inventories. */
    private static final class Pins implements CertificatePins.Keeper {
        private final Map<String, String> pinned = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public void pin(Host host, String fingerprint) {
            pinned.put(host.hostname(), fingerprint);
        }

        String get(String hostname) {
            return pinned.get(hostname);
        }
    }

    private static Host stored(Host h, InventoryReading o, String pin, Instant now) {
        Host next = h;
        if (pin != null) next = next.withBmc(h.bmc().withTlsFingerprint(pin));
        next = next.withInventory(o.inventory());
        switch (h.state()) {
            case IMPORTED -> next = next.moveTo(HostState.DISCOVERED, "BMC address from the rack CSV", now)
                    .moveTo(HostState.INVENTORIED, "scraped", now);
            case DISCOVERED, INVENTORIED -> next = next.moveTo(HostState.INVENTORIED, "scraped", now);
            // A ready or failed host keeps its state unless its hardware changed; then it must be
            // matched again (a failed one, with a DIMM reseated, may then become ready).
            case READY, FAILED -> {
                boolean hardwareChanged = h.inventory() == null
                        || !InventoryDiff.diff(h.inventory(), o.inventory()).isEmpty();
                if (hardwareChanged) next = next.moveTo(HostState.INVENTORIED, "hardware changed", now);
            }
            default -> { } // --force on a busy host: inventory only, the state is not ours to change
        }
        return next;
    }

    private static Map<String, Object> journalDetail(InventoryReading o) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("systems", o.inventory().systems().size());
        d.put("cpus", count(o.inventory(), "cpus"));
        d.put("dimms", count(o.inventory(), "dimms"));
        d.put("drives", count(o.inventory(), "drives"));
        d.put("nics", count(o.inventory(), "nics"));
        d.put("warnings", o.inventory().warnings().size());
        d.put("requests", o.requests());
        d.put("ms", o.time().toMillis());
        return d;
    }

    /** Counts over all systems: present CPUs, populated DIMMs, drives, NICs. */
    static int count(Inventory inv, String what) {
        int n = 0;
        for (Inventory.SystemInfo s : inv.systems()) {
            n += switch (what) {
                case "cpus" -> s.cpus().size();
                case "dimms" -> (int) s.dimms().stream().filter(Inventory.Dimm::populated).count();
                case "drives" -> s.drives().size();
                case "nics" -> s.nics().size();
                default -> 0;
            };
        }
        return n;
    }
}

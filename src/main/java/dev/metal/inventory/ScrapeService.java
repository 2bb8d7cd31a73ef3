package dev.metal.inventory;

import dev.metal.model.BadInputException;
import dev.metal.model.Host;
import dev.metal.model.HostState;
import dev.metal.model.Inventory;
import dev.metal.redfish.RedfishClient;
import dev.metal.redfish.Scraper;
import dev.metal.state.State;
import dev.metal.state.StateStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code metal scrape}: picks the hosts, reads their BMCs with no lock held, then stores
 * every inventory in one state update. Scraping is read-only on the BMC, but hosts that
 * install or run an OS are still left alone unless --force.
 */
public final class ScrapeService {
    /** States a host may be scraped from without --force. */
    public static final Set<HostState> SCRAPABLE = EnumSet.of(HostState.IMPORTED, HostState.DISCOVERED,
            HostState.INVENTORIED, HostState.READY, HostState.FAILED);

    public record Options(RedfishClient.Options client, int parallel, boolean force, boolean repin) {}

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

    private final StateStore store;
    private final Clock clock;

    public ScrapeService(StateStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    public List<HostResult> scrape(List<String> names, boolean all, String rack, Options options,
                                   Scraper.Progress progress) {
        State state = store.load();
        List<Host> chosen = new ArrayList<>();
        List<HostResult> skipped = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        if (names.isEmpty() && !all && rack == null) {
            throw new BadInputException("name hosts to scrape, or use --all or --rack R");
        }
        List<Host> candidates = new ArrayList<>();
        for (String n : names) {
            Host h = state.host(n);
            if (h == null) problems.add("unknown host " + n);
            else candidates.add(h);
        }
        if (names.isEmpty()) {
            for (Host h : state.hosts().values()) {
                if (rack == null || rack.equals(h.rack())) candidates.add(h);
            }
            if (rack != null && candidates.isEmpty()) problems.add("no hosts in rack " + rack);
        }
        for (Host h : candidates) {
            String why = null;
            if (h.bmc().address() == null) {
                why = "no BMC address (run metal discover, or give bmc_address in the rack CSV)";
            } else if (!options.force() && !SCRAPABLE.contains(h.state())) {
                why = h.state() + "; scrape leaves provisioning, active and quarantined hosts alone (--force reads "
                        + "the inventory anyway, without changing the host's state)";
            }
            if (why == null) {
                chosen.add(h);
            } else if (!names.isEmpty()) {
                problems.add(h.hostname() + ": " + why);
            } else {
                skipped.add(new HostResult(h.hostname(), "skipped", why, h.state(), null, null, null, null, List.of(),
                        0, 0, 0, 0));
            }
        }
        if (!problems.isEmpty()) throw new BadInputException(problems);

        List<Scraper.Outcome> outcomes = new Scraper(options.client(), options.parallel(), options.repin(), clock)
                .scrape(chosen, progress);
        List<HostResult> results = store.update(tx -> {
            List<HostResult> out = new ArrayList<>();
            for (Scraper.Outcome o : outcomes) {
                Host h = tx.host(o.hostname());
                if (h == null) continue; // removed while we were reading its BMC
                if (!o.ok()) {
                    Map<String, Object> detail = new LinkedHashMap<>();
                    detail.put("error", o.error());
                    tx.journal(h.hostname(), "scrape-failed", detail);
                    out.add(new HostResult(h.hostname(), "failed", o.error(), h.state(), null, null, null, null,
                            List.of(), o.requests(), o.bytes(), o.time().toMillis(), o.depth()));
                    continue;
                }
                tx.put(store(h, o, tx.now()), "inventoried", journalDetail(o));
                Host stored = tx.host(h.hostname());
                Inventory inv = o.inventory();
                out.add(new HostResult(h.hostname(), "ok", null, stored.state(), count(inv, "cpus"),
                        count(inv, "dimms"), count(inv, "drives"), count(inv, "nics"), inv.warnings(), o.requests(),
                        o.bytes(), o.time().toMillis(), o.depth()));
            }
            return out;
        });
        List<HostResult> all2 = new ArrayList<>(results);
        all2.addAll(skipped);
        return all2;
    }

    private static Host store(Host h, Scraper.Outcome o, java.time.Instant now) {
        Host next = h;
        if (o.fingerprint() != null && !o.fingerprint().equals(h.bmc().tlsFingerprint())) {
            next = next.withBmc(h.bmc().withTlsFingerprint(o.fingerprint()));
        }
        next = next.withInventory(o.inventory());
        switch (h.state()) {
            case IMPORTED -> next = next.moveTo(HostState.DISCOVERED, "BMC address from the rack CSV", now)
                    .moveTo(HostState.INVENTORIED, "scraped", now);
            case DISCOVERED, INVENTORIED, FAILED -> next = next.moveTo(HostState.INVENTORIED, "scraped", now);
            // A ready host stays ready unless its hardware changed; then it must be matched again.
            case READY -> {
                boolean hardwareChanged = h.inventory() == null
                        || !InventoryDiff.diff(h.inventory(), o.inventory()).isEmpty();
                if (hardwareChanged) next = next.moveTo(HostState.INVENTORIED, "hardware changed", now);
            }
            default -> { } // --force on a busy host: inventory only, the state is not ours to change
        }
        return next;
    }

    private static Map<String, Object> journalDetail(Scraper.Outcome o) {
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

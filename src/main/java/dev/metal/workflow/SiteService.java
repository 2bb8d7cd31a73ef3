package dev.metal.workflow;

import dev.metal.model.Host;
import dev.metal.model.Site;
import dev.metal.render.Allocator;
import dev.metal.render.SitePlans;
import dev.metal.state.HostQuery;
import dev.metal.state.Store;
import dev.metal.state.Transaction;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** 'metal site set': check the plan, store it, and give hosts their addresses. */
public final class SiteService {
    private final Store store;

    public SiteService(Store store) {
        this.store = store;
    }

    /** The stored plan, the hosts whose addresses changed, and the hosts that could not be placed. */
    public record Loaded(Site site, List<String> allocated, List<String> unplaced) {}

    /** Checks and stores the plan; an image OS given as a file must be in {@code files}, the boot server's folder. */
    public Loaded set(Path file, Path files) {
        Site site = SitePlans.read(file);
        SitePlans.requireImageFiles(file, site, files);
        return store.update(tx -> {
            SitePlans.requireRoom(file, site, tx.hosts(HostQuery.all()));
            tx.putSite(site, "site-set", Map.of("file", file.toString(), "name", site.name()));
            Allocator.Outcome a = allocate(tx, site);
            return new Loaded(site, List.copyOf(a.changed().keySet()), a.problems());
        });
    }

    /** The stored plan; bad input before 'metal site set'. */
    public Site show() {
        Site site = store.site();
        if (site == null) throw new dev.metal.model.ConflictException("no site plan yet; load one with 'metal site set FILE'");
        return site;
    }

    /** Allocates within a state change and stores the new addresses of each host that changed. */
    static Allocator.Outcome allocate(Transaction tx, Site site) {
        Allocator.Outcome a = Allocator.allocate(site, tx.hosts(HostQuery.all()));
        for (Map.Entry<String, Map<String, String>> e : a.changed().entrySet()) {
            Host h = tx.host(e.getKey());
            tx.put(h.withAddresses(e.getValue()), "addresses-allocated", new LinkedHashMap<>(e.getValue()));
        }
        return a;
    }
}

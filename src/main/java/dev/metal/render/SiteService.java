package dev.metal.render;

import dev.metal.model.Site;
import dev.metal.state.StateStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** 'metal site set': check the plan, store it, and give hosts their addresses. */
public final class SiteService {
    private final StateStore store;

    public SiteService(StateStore store) {
        this.store = store;
    }

    /** The stored plan, the hosts whose addresses changed, and the hosts that could not be placed. */
    public record Loaded(Site site, List<String> allocated, List<String> unplaced) {}

    public Loaded set(Path file) {
        Site site = SitePlans.read(file);
        return store.update(tx -> {
            SitePlans.requireRoom(file, site, tx.hosts());
            tx.updateState(s -> s.withSite(site), "site-set", Map.of("file", file.toString(), "name", site.name()));
            Allocator.Outcome a = Allocator.apply(tx, site);
            return new Loaded(site, List.copyOf(a.changed().keySet()), a.problems());
        });
    }
}

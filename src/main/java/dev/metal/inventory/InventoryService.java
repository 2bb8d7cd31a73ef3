package dev.metal.inventory;

import dev.metal.model.ConflictException;
import dev.metal.model.Host;
import dev.metal.model.NotFoundException;
import dev.metal.state.Store;
import java.util.List;

/** 'metal inventory': a host's hardware as last scraped, and what changed since the scrape before. */
public final class InventoryService {
    private final Store store;

    public InventoryService(Store store) {
        this.store = store;
    }

    /** A host that has been scraped, whole. */
    public Host scraped(String hostname) {
        Host h = store.host(hostname);
        if (h == null) throw new NotFoundException("unknown host " + hostname);
        if (h.inventory() == null) throw new ConflictException(hostname + " has no inventory yet (run metal scrape)");
        return h;
    }

    /** A host scraped at least twice, whole. */
    public Host scrapedTwice(String hostname) {
        Host h = scraped(hostname);
        if (h.previousInventory() == null) {
            throw new ConflictException(hostname + " was scraped only once; nothing to compare with");
        }
        return h;
    }

    /** What changed in a host's hardware between its last two scrapes. */
    public static List<InventoryDiff.Change> diff(Host scrapedTwice) {
        return InventoryDiff.diff(scrapedTwice.previousInventory(), scrapedTwice.inventory());
    }
}

package dev.metal.workflow;

import dev.metal.model.ConflictException;
import dev.metal.model.Host;
import dev.metal.model.HostState;
import dev.metal.model.NotFoundException;
import dev.metal.model.Site;
import dev.metal.render.AnsibleInventory;
import dev.metal.state.HostQuery;
import dev.metal.state.JournalEntry;
import dev.metal.state.JournalQuery;
import dev.metal.state.Store;
import java.util.List;

/** 'metal host': reading hosts and their history, and removing them. */
public final class HostService {
    private final Store store;

    public HostService(Store store) {
        this.store = store;
    }

    /** The hosts of a rack, in a state, with a tag (null: any), by name. */
    public List<Host> list(String rack, HostState state, String tag) {
        HostQuery q = HostQuery.all();
        if (rack != null) q = q.inRack(rack);
        if (state != null) q = q.inStates(state);
        Site site = store.site();
        return store.hosts(q).stream().filter(h -> tag == null || h.hasTag(tag)).map(h -> known(h, site)).toList();
    }

    /** One host, whole, with its management MAC when the scrape found it. */
    public Host show(String hostname) {
        Host h = store.host(hostname);
        if (h == null) throw new NotFoundException("unknown host " + hostname);
        return known(h, store.site());
    }

    /** The host as shown: with the management MAC from the rack CSV, or the one the scrape and match found. */
    private static Host known(Host h, Site site) {
        return h.mgmtMac() != null ? h : h.withMgmtMac(h.managementMac(site));
    }

    /** Removes a host; one that runs or installs user code only with {@code force}. Its journal stays. */
    public void remove(String hostname, boolean force) {
        ActiveHostGuard guard = new ActiveHostGuard(force);
        store.update(tx -> {
            Host h = tx.host(hostname);
            if (h == null) throw new NotFoundException("unknown host " + hostname);
            String refusal = guard.removal(h);
            if (refusal != null) throw new ConflictException(refusal);
            tx.remove(hostname, "removed");
            return null;
        });
    }

    /** Every host, whole (inventories included), and the site plan: what an Ansible inventory is made of. */
    public Object ansibleInventory(String hostname) {
        if (hostname != null) return AnsibleInventory.hostVars(show(hostname), store.site());
        return AnsibleInventory.list(store.hosts(HostQuery.all().withInventories()), store.site());
    }

    /** What the journal says of a host, oldest first; a host removed since keeps its history. */
    public List<JournalEntry> history(String hostname) {
        List<JournalEntry> entries = store.journal(JournalQuery.forHost(hostname));
        if (entries.isEmpty() && store.host(hostname) == null) {
            throw new NotFoundException("unknown host " + hostname + " (not in state or journal)");
        }
        return entries;
    }
}

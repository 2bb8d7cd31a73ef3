package dev.metal.state;

import dev.metal.model.Host;
import dev.metal.model.Site;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The JSON file engine's {@link Transaction}: a working copy of the state made under the
 * file lock, and the journal lines that describe the change. Nothing reaches the file
 * unless the update returns normally. The file lock is exclusive, so a claim never has
 * anything to skip.
 */
final class JsonTransaction implements Transaction {
    private final String command;
    private final Instant now;
    private final State base;
    private final TreeMap<String, Host> hosts;
    private Site site;
    private final TreeMap<String, Integer> poolTargets;
    /** Hosts this transaction handed out without their inventories (see {@link #put}). */
    private final Set<String> readWithoutInventories = new HashSet<>();
    private final List<JournalEntry> journal = new ArrayList<>();
    private boolean changed;

    JsonTransaction(State base, String command, Instant now) {
        this.base = base;
        this.command = command;
        this.now = now;
        this.hosts = new TreeMap<>(base.hosts());
        this.site = base.site();
        this.poolTargets = new TreeMap<>(base.poolTargets());
    }

    @Override
    public Instant now() {
        return now;
    }

    @Override
    public Host host(String hostname) {
        return hosts.get(hostname);
    }

    @Override
    public List<Host> hosts(HostQuery query) {
        List<Host> out = new ArrayList<>();
        for (Host h : hosts.values()) {
            if (!query.test(h)) continue;
            if (query.inventories()) {
                out.add(h);
            } else {
                readWithoutInventories.add(h.hostname());
                out.add(JsonFileStore.withoutInventories(h));
            }
        }
        return out;
    }

    @Override
    public void put(Host host, String event, Map<String, Object> detail) {
        Host old = hosts.get(host.hostname());
        Host next = host;
        // A host read without its inventories and put back without them keeps the stored ones.
        if (old != null && readWithoutInventories.contains(host.hostname())
                && host.inventory() == null && host.previousInventory() == null) {
            next = new Host(host.hostname(), host.rack(), host.u(), host.bmc(), host.mgmtMac(), host.serial(),
                    host.tags(), host.state(), host.stateReason(), host.stateSince(), old.inventory(),
                    old.previousInventory(), host.match(), host.addresses(), host.provisioning());
        }
        hosts.put(next.hostname(), next);
        if (!next.equals(old)) changed = true;
        journal(next.hostname(), event, detail);
    }

    @Override
    public void remove(String hostname, String event) {
        if (hosts.remove(hostname) != null) {
            changed = true;
            journal(hostname, event, Map.of());
        }
    }

    @Override
    public Site site() {
        return site;
    }

    @Override
    public void putSite(Site newSite, String event, Map<String, Object> detail) {
        if (!java.util.Objects.equals(newSite, site)) changed = true;
        site = newSite;
        journal(null, event, detail);
    }

    @Override
    public Map<String, Integer> poolTargets() {
        return java.util.Collections.unmodifiableMap(new TreeMap<>(poolTargets));
    }

    @Override
    public void putPoolTarget(String profile, int target, String event, Map<String, Object> detail) {
        Integer old = target <= 0 ? poolTargets.remove(profile) : poolTargets.put(profile, target);
        if (!java.util.Objects.equals(old, target <= 0 ? null : target)) changed = true;
        journal(null, event, detail);
    }

    @Override
    public void journal(String hostname, String event, Map<String, Object> detail) {
        journal.add(new JournalEntry(now, command, hostname, event, detail == null ? Map.of() : detail));
    }

    /** The state as it stands inside this transaction. */
    State snapshot() {
        return new State(base.schemaVersion(), hosts, site, poolTargets);
    }

    boolean changed() {
        return changed;
    }

    List<JournalEntry> journalEntries() {
        return journal;
    }
}

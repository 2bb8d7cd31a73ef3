package dev.metal.state;

import dev.metal.model.Host;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * The change being made inside {@link StateStore#update}: a working copy of the hosts
 * and the journal lines that describe the change. Nothing reaches the file unless the
 * update returns normally.
 */
public final class Transaction {
    private final String command;
    private final Instant now;
    private State base;
    private final TreeMap<String, Host> hosts;
    private final List<JournalEntry> journal = new ArrayList<>();
    private boolean changed;

    Transaction(State base, String command, Instant now) {
        this.base = base;
        this.command = command;
        this.now = now;
        this.hosts = new TreeMap<>(base.hosts());
    }

    /** The time of this change, one value for all of it. */
    public Instant now() {
        return now;
    }

    public Host host(String hostname) {
        return hosts.get(hostname);
    }

    public Collection<Host> hosts() {
        return Collections.unmodifiableCollection(hosts.values());
    }

    /** Adds or replaces a host and journals {@code event} for it. */
    public void put(Host host, String event, Map<String, Object> detail) {
        Host old = hosts.put(host.hostname(), host);
        if (!host.equals(old)) changed = true;
        journal(host.hostname(), event, detail);
    }

    public void put(Host host, String event) {
        put(host, event, Map.of());
    }

    public void remove(String hostname, String event) {
        if (hosts.remove(hostname) != null) {
            changed = true;
            journal(hostname, event, Map.of());
        }
    }

    /** Changes what the state holds beside hosts (site plan, pools, ...). */
    public void updateState(UnaryOperator<State> change, String event, Map<String, Object> detail) {
        State current = snapshot();
        State next = change.apply(current);
        if (!next.equals(current)) changed = true;
        base = next;
        hosts.clear();
        hosts.putAll(next.hosts());
        journal(null, event, detail);
    }

    public void journal(String hostname, String event, Map<String, Object> detail) {
        journal.add(new JournalEntry(now, command, hostname, event, detail == null ? Map.of() : detail));
    }

    /** The state as it stands inside this transaction. */
    public State snapshot() {
        return base.withHosts(hosts);
    }

    boolean changed() {
        return changed;
    }

    List<JournalEntry> journalEntries() {
        return journal;
    }
}

package dev.metal.state;

import dev.metal.model.Host;
import dev.metal.model.Site;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything metal knows, as stored in the state file. Immutable: a change makes a new
 * State inside {@link StateStore#update}. Hosts are kept sorted by hostname so that the
 * file is stable and diffable. {@code site} is the site plan, null until 'metal site set'.
 */
public record State(
        int schemaVersion,
        Map<String, Host> hosts,
        Site site) {

    public static final int SCHEMA_VERSION = 1;

    public State {
        hosts = Collections.unmodifiableSortedMap(new TreeMap<>(hosts == null ? Map.of() : hosts));
    }

    public static State empty() {
        return new State(SCHEMA_VERSION, Map.of(), null);
    }

    public Host host(String hostname) {
        return hosts.get(hostname);
    }

    public State withHosts(Map<String, Host> newHosts) {
        return new State(schemaVersion, newHosts, site);
    }

    public State withSite(Site newSite) {
        return new State(schemaVersion, hosts, newSite);
    }

    public State withHost(Host host) {
        TreeMap<String, Host> copy = new TreeMap<>(hosts);
        copy.put(host.hostname(), host);
        return new State(schemaVersion, copy, site);
    }

    public State withoutHost(String hostname) {
        TreeMap<String, Host> copy = new TreeMap<>(hosts);
        copy.remove(hostname);
        return new State(schemaVersion, copy, site);
    }
}

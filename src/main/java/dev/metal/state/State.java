package dev.metal.state;

import dev.metal.model.Host;
import dev.metal.model.Site;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything metal knows, as stored in the state file. Immutable: a change makes a new
 * State inside {@link StateStore#update}. Hosts are kept sorted by hostname so that the
 * file is stable and diffable. {@code site} is the site plan, null until 'metal site set';
 * {@code poolTargets} the number of ready hosts to keep per profile.
 */
record State(
        int schemaVersion,
        Map<String, Host> hosts,
        Site site,
        Map<String, Integer> poolTargets) {

    public static final int SCHEMA_VERSION = 1;

    public State {
        hosts = Collections.unmodifiableSortedMap(new TreeMap<>(hosts == null ? Map.of() : hosts));
        poolTargets = Collections.unmodifiableSortedMap(new TreeMap<>(poolTargets == null ? Map.of() : poolTargets));
    }

    public static State empty() {
        return new State(SCHEMA_VERSION, Map.of(), null, Map.of());
    }

    public Host host(String hostname) {
        return hosts.get(hostname);
    }

    public State withHosts(Map<String, Host> newHosts) {
        return new State(schemaVersion, newHosts, site, poolTargets);
    }

    public State withSite(Site newSite) {
        return new State(schemaVersion, hosts, newSite, poolTargets);
    }

    /** The number of ready hosts to keep per profile ({@code metal pool}); 0 removes the target. */
    public State withPoolTarget(String profile, int target) {
        TreeMap<String, Integer> copy = new TreeMap<>(poolTargets);
        if (target <= 0) copy.remove(profile);
        else copy.put(profile, target);
        return new State(schemaVersion, hosts, site, copy);
    }
}

package dev.metal.state;

import dev.metal.model.HostState;
import java.util.Collection;
import java.util.Set;

/**
 * Which hosts to read: every host, or those named, of a rack, in some states, of a profile
 * or of a provisioning request. Inventories are left out unless asked for.
 *
 * @param names      only these hosts (null: any)
 * @param rack       only this rack (null: any)
 * @param states     only these states (null or empty: any)
 * @param profile    only hosts that matched this profile (null: any)
 * @param requestId  only hosts whose provisioning belongs to this request (null: any)
 * @param inventories whether to read inventories too (costly; match and inventory need them)
 * @param skipLocked inside a transaction: leave out hosts another transaction holds (claims)
 */
public record HostQuery(Set<String> names, String rack, Set<HostState> states, String profile, String requestId,
                        boolean inventories, boolean skipLocked) {
    public HostQuery {
        names = names == null ? null : Set.copyOf(names);
        states = states == null || states.isEmpty() ? null : Set.copyOf(states);
    }

    public static HostQuery all() {
        return new HostQuery(null, null, null, null, null, false, false);
    }

    public static HostQuery named(Collection<String> names) {
        return all().withNames(names);
    }

    public HostQuery withNames(Collection<String> n) {
        return new HostQuery(Set.copyOf(n), rack, states, profile, requestId, inventories, skipLocked);
    }

    public HostQuery inRack(String r) {
        return new HostQuery(names, r, states, profile, requestId, inventories, skipLocked);
    }

    public HostQuery inStates(HostState... s) {
        return new HostQuery(names, rack, Set.of(s), profile, requestId, inventories, skipLocked);
    }

    public HostQuery ofProfile(String p) {
        return new HostQuery(names, rack, states, p, requestId, inventories, skipLocked);
    }

    public HostQuery ofRequest(String id) {
        return new HostQuery(names, rack, states, profile, id, inventories, skipLocked);
    }

    public HostQuery withInventories() {
        return new HostQuery(names, rack, states, profile, requestId, true, skipLocked);
    }

    public HostQuery skippingLocked() {
        return new HostQuery(names, rack, states, profile, requestId, inventories, true);
    }

    /** Whether a host passes the filters (for engines that filter in memory, and for tests). */
    public boolean test(dev.metal.model.Host h) {
        if (names != null && !names.contains(h.hostname())) return false;
        if (rack != null && !rack.equals(h.rack())) return false;
        if (states != null && !states.contains(h.state())) return false;
        if (profile != null && !profile.equals(h.profile())) return false;
        if (requestId != null && (h.provisioning() == null || !requestId.equals(h.provisioning().requestId()))) {
            return false;
        }
        return true;
    }

}

package dev.metal.state;

import dev.metal.model.Host;
import dev.metal.model.Site;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One change to the state, inside {@link Store#update}. It reads and locks only the rows
 * it asks for; nothing reaches the store unless the update returns normally. Every put
 * journals its event in the same transaction.
 */
public interface Transaction {
    /** The time of this change, one value for all of it. */
    Instant now();

    /** One host, whole, locked until the end of the transaction; null when there is none. */
    Host host(String hostname);

    /**
     * The hosts the query selects, locked until the end of the transaction. With
     * {@link HostQuery#skipLocked()} hosts that another transaction holds are left out
     * instead of waited for (claims). A host read without inventories keeps its stored
     * inventories when it is put back unchanged in that respect.
     */
    List<Host> hosts(HostQuery query);

    /** Adds or replaces a host and journals {@code event} for it. */
    void put(Host host, String event, Map<String, Object> detail);

    default void put(Host host, String event) {
        put(host, event, Map.of());
    }

    /** Removes a host (its journal stays) and journals {@code event}. */
    void remove(String hostname, String event);

    Site site();

    void putSite(Site site, String event, Map<String, Object> detail);

    Map<String, Integer> poolTargets();

    /** Sets the ready hosts to keep for a profile; 0 removes the target. */
    void putPoolTarget(String profile, int target, String event, Map<String, Object> detail);

    /** Journals an event that changes no row (a power action, a refused request). */
    void journal(String hostname, String event, Map<String, Object> detail);
}

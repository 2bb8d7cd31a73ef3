package dev.metal.state;

import dev.metal.model.Host;
import dev.metal.model.Site;
import java.util.List;
import java.util.Map;

/**
 * Everything metal keeps, behind one narrow interface with two engines: SQLite (one local
 * file, the default) and PostgreSQL (a team). Nothing outside this package knows SQL.
 *
 * Reads are one query each and take no lock. Every change is one {@link #update}: a
 * transaction that touches only the rows it reads through its {@link Transaction} and
 * commits all or nothing. Hosts read in bulk ({@link #hosts}) come without their
 * inventories unless the query asks for them, so that listing a fleet never parses it.
 */
public interface Store extends AutoCloseable {

    /** Where the state lives, for messages: a file path, or a URL without its password. */
    String location();

    /** One host, whole (inventories included), or null. */
    Host host(String hostname);

    /** The hosts the query selects, in hostname order. */
    List<Host> hosts(HostQuery query);

    /** The host that has this MAC (management MAC, or a NIC its profile match named), or null. */
    Host hostByMac(String mac);

    /** The site plan, or null before 'metal site set'. */
    Site site();

    /** Ready hosts to keep per profile ('metal pool target'), by profile. */
    Map<String, Integer> poolTargets();

    /** Journal entries the query selects, oldest first. */
    List<JournalEntry> journal(JournalQuery query);

    /**
     * Runs {@code change} in one transaction and commits what it put. If it throws, nothing
     * is written. It may run again after a serialization conflict, so it must not have side
     * effects outside the transaction.
     */
    <T> T update(Change<T> change);

    /**
     * Writes the whole state as one JSON document: every host with its inventories, the site
     * plan, the pool targets and the journal. BMC password references and boot tokens are in
     * it as they are in the state, so it is for backups and moves, kept as private as the state.
     */
    void export(java.io.OutputStream out);

    /**
     * Loads an export (or a JSON state file of an earlier metal) into this state, which must
     * be empty, in one transaction: all of it or nothing.
     *
     * @param source the file's name, for messages
     * @return the number of hosts imported
     */
    int importState(java.io.InputStream in, String source);

    /** Held while a provisioning request runs in this process; see {@link #lockRequest}. */
    interface RequestLock extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Takes the lock of a provisioning request, or returns null when a live process holds it.
     * The lock goes away when its holder dies (a file lock; a PostgreSQL advisory lock), which
     * is how '--resume' tells an interrupted request from one still running.
     */
    RequestLock lockRequest(String requestId);

    @Override
    void close();

    @FunctionalInterface
    interface Change<T> {
        T apply(Transaction tx);
    }
}

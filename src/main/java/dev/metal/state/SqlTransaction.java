package dev.metal.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.metal.model.Host;
import dev.metal.model.Macs;
import dev.metal.model.ProfileMatch;
import dev.metal.model.Site;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One change on a SQL engine. Reads lock the rows they return (PostgreSQL: FOR UPDATE, with
 * SKIP LOCKED for claims; SQLite: the write transaction holds the database). Writes are
 * queued and sent in batches, before the next read and at commit, so that importing
 * thousands of hosts is a few round trips rather than tens of thousands.
 */
final class SqlTransaction implements Transaction {
    /** A database error inside a change, carried out of the {@link Store.Change} to {@link SqlStore#update}. */
    static final class Failure extends RuntimeException {
        Failure(SQLException cause) {
            super(cause.getMessage(), cause);
        }

        @Override
        public synchronized SQLException getCause() {
            return (SQLException) super.getCause();
        }
    }

    private record Op(String sql, Object[] params) {}

    private final Connection c;
    private final Dialect dialect;
    private final String command;
    private final Instant now;
    private final String nowText;
    private final long nowNanos;
    /** Hosts handed out without their inventories (see {@link #put}). */
    private final Set<String> readWithoutInventories = new HashSet<>();
    /** The queued writes of each host put (its row and its MACs): a later put of the same host replaces them. */
    private final java.util.LinkedHashMap<String, List<Op>> hostOps = new java.util.LinkedHashMap<>();
    /** The other queued writes (journal, site, pool targets), in order. */
    private final List<Op> pending = new ArrayList<>();
    private int queued;
    private final Map<String, PreparedStatement> statements = new HashMap<>();

    SqlTransaction(Connection c, Dialect dialect, String command, Instant now) {
        this.c = c;
        this.dialect = dialect;
        this.command = command;
        this.now = now;
        this.nowText = now.toString();
        this.nowNanos = SqlStore.epochNanos(now);
    }

    @Override
    public Instant now() {
        return now;
    }

    @Override
    public Host host(String hostname) {
        try {
            flush();
            Host h = SqlStore.selectHost(c, dialect, hostname, true);
            if (h != null) readWithoutInventories.remove(hostname);
            return h;
        } catch (SQLException e) {
            throw new Failure(e);
        }
    }

    @Override
    public List<Host> hosts(HostQuery query) {
        try {
            flush();
            if (query.skipLocked()) takeClaimTurn();
            List<Host> hosts = SqlStore.selectHosts(c, dialect, query, dialect.forUpdate(query.skipLocked()));
            for (Host h : hosts) {
                if (query.inventories()) readWithoutInventories.remove(h.hostname());
                else readWithoutInventories.add(h.hostname());
            }
            return hosts;
        } catch (SQLException e) {
            throw new Failure(e);
        }
    }

    private boolean claimTurn;

    /**
     * Claims take turns with each other (PostgreSQL: a transaction advisory lock, held to the
     * commit), so that a second provisioner sees the first one's claims instead of skipping
     * every candidate the first one read; they never wait on other work, whose rows they skip.
     */
    private void takeClaimTurn() throws SQLException {
        if (claimTurn || dialect != Dialect.POSTGRES) return;
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_xact_lock(" + PostgresStore.lockKey("claims") + ")");
        }
        claimTurn = true;
    }

    @Override
    public void put(Host host, String event, Map<String, Object> detail) {
        putRow(host);
        journal(host.hostname(), event, detail);
    }

    /** Writes a host row (and its MACs) without journaling. */
    void putRow(Host host) {
        String name = host.hostname();
        String j = dialect.jsonParam;
        Object[] keys = {host.rack(), host.state().name(), host.profile(),
                host.provisioning() == null ? null : host.provisioning().requestId(),
                json(withoutInventories(host))};
        List<Op> ops = new ArrayList<>();
        if (readWithoutInventories.contains(name) && host.inventory() == null && host.previousInventory() == null) {
            // Read without inventories and put back without them: the stored ones stay.
            op(ops, "UPDATE hosts SET rack = ?, state = ?, profile = ?, request_id = ?, body = " + j
                    + " WHERE hostname = ?", keys[0], keys[1], keys[2], keys[3], keys[4], name);
        } else {
            op(ops, "INSERT INTO hosts (hostname, rack, state, profile, request_id, body, inventory, previous_inventory)"
                            + " VALUES (?, ?, ?, ?, ?, " + j + ", " + j + ", " + j + ") ON CONFLICT (hostname) DO UPDATE SET"
                            + " rack = excluded.rack, state = excluded.state, profile = excluded.profile,"
                            + " request_id = excluded.request_id, body = excluded.body, inventory = excluded.inventory,"
                            + " previous_inventory = excluded.previous_inventory",
                    name, keys[0], keys[1], keys[2], keys[3], keys[4],
                    host.inventory() == null ? null : json(host.inventory()),
                    host.previousInventory() == null ? null : json(host.previousInventory()));
            readWithoutInventories.remove(name);
        }
        op(ops, "DELETE FROM host_macs WHERE hostname = ?", name);
        for (String mac : macs(host)) op(ops, "INSERT INTO host_macs (mac, hostname) VALUES (?, ?)", mac, name);
        hostOps.put(name, ops);
        counted(ops.size());
    }

    private static void op(List<Op> ops, String sql, Object... params) {
        ops.add(new Op(sql, params));
    }

    /** The MACs 'hostByMac' finds a host by: its management MAC and the NICs its profile match named. */
    static Set<String> macs(Host h) {
        Set<String> out = new TreeSet<>();
        String m = Macs.normalize(h.mgmtMac());
        if (m != null) out.add(m);
        ProfileMatch match = h.match();
        if (match != null && match.nics() != null) {
            for (ProfileMatch.NamedNic nic : match.nics().values()) {
                String n = Macs.normalize(nic.mac());
                if (n != null) out.add(n);
            }
        }
        return out;
    }

    static Host withoutInventories(Host h) {
        return JsonFileStore.withoutInventories(h);
    }

    @Override
    public void remove(String hostname, String event) {
        try {
            flush();
            int removed;
            try (PreparedStatement s = c.prepareStatement("DELETE FROM hosts WHERE hostname = ?")) {
                s.setString(1, hostname);
                removed = s.executeUpdate();
            }
            readWithoutInventories.remove(hostname);
            if (removed > 0) {
                try (PreparedStatement s = c.prepareStatement("DELETE FROM host_macs WHERE hostname = ?")) {
                    s.setString(1, hostname);
                    s.executeUpdate();
                }
                journal(hostname, event, Map.of());
            }
        } catch (SQLException e) {
            throw new Failure(e);
        }
    }

    @Override
    public Site site() {
        try {
            flush();
            return SqlStore.selectSite(c, dialect.forUpdate(false));
        } catch (SQLException e) {
            throw new Failure(e);
        }
    }

    @Override
    public void putSite(Site site, String event, Map<String, Object> detail) {
        putSiteRow(site);
        journal(null, event, detail);
    }

    void putSiteRow(Site site) {
        if (site == null) {
            queue("DELETE FROM site WHERE id = 1");
        } else {
            queue("INSERT INTO site (id, body) VALUES (1, " + dialect.jsonParam + ") ON CONFLICT (id) DO UPDATE SET"
                    + " body = excluded.body", json(site));
        }
    }

    @Override
    public Map<String, Integer> poolTargets() {
        try {
            flush();
            return SqlStore.selectPoolTargets(c);
        } catch (SQLException e) {
            throw new Failure(e);
        }
    }

    @Override
    public void putPoolTarget(String profile, int target, String event, Map<String, Object> detail) {
        putPoolTargetRow(profile, target);
        journal(null, event, detail);
    }

    void putPoolTargetRow(String profile, int target) {
        if (target <= 0) {
            queue("DELETE FROM pool_targets WHERE profile = ?", profile);
        } else {
            queue("INSERT INTO pool_targets (profile, target) VALUES (?, ?) ON CONFLICT (profile) DO UPDATE SET"
                    + " target = excluded.target", profile, target);
        }
    }

    @Override
    public void journal(String hostname, String event, Map<String, Object> detail) {
        journalRow(new JournalEntry(now, command, hostname, event, detail == null ? Map.of() : detail));
    }

    void journalRow(JournalEntry e) {
        String time = e.time() == now ? nowText : e.time().toString();
        long at = e.time() == now ? nowNanos : SqlStore.epochNanos(e.time());
        queue("INSERT INTO journal (at, time, command, host, event, detail) VALUES (?, ?, ?, ?, ?, "
                + dialect.jsonParam + ")", at, time, e.command(), e.host(), e.event(),
                json(e.detail() == null ? Map.of() : e.detail()));
    }

    /** Whether the state holds nothing at all (import's precondition). */
    boolean isEmpty() {
        try {
            flush();
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(
                    "SELECT (SELECT count(*) FROM hosts) + (SELECT count(*) FROM journal) + (SELECT count(*) FROM site)"
                            + " + (SELECT count(*) FROM pool_targets)")) {
                return r.next() && r.getLong(1) == 0;
            }
        } catch (SQLException e) {
            throw new Failure(e);
        }
    }

    private void queue(String sql, Object... params) {
        pending.add(new Op(sql, params));
        counted(1);
    }

    private void counted(int n) {
        queued += n;
        if (queued >= 5000) {
            try {
                flush();
            } catch (SQLException e) {
                throw new Failure(e);
            }
        }
    }

    /** The order host writes go in: rows, then the MACs they drop, then the MACs they add. */
    private static int rank(String sql) {
        if (sql.startsWith("INSERT INTO hosts")) return 0;
        if (sql.startsWith("UPDATE hosts")) return 1;
        if (sql.startsWith("DELETE FROM host_macs")) return 2;
        return 3;
    }

    /**
     * Sends the queued writes, each kind as one batch: the host rows (one put per host, the
     * last), their MACs, then the journal, site and pool targets in the order they came.
     */
    void flush() throws SQLException {
        List<Op> hosts = new ArrayList<>();
        for (List<Op> ops : hostOps.values()) hosts.addAll(ops);
        hosts.sort(java.util.Comparator.comparingInt(o -> rank(o.sql())));
        run(hosts);
        run(pending);
        hostOps.clear();
        pending.clear();
        queued = 0;
    }

    /** Runs the ops in order, each run of one statement as one batch. */
    private void run(List<Op> ops) throws SQLException {
        int i = 0;
        while (i < ops.size()) {
            String sql = ops.get(i).sql();
            PreparedStatement s = statements.get(sql);
            if (s == null) {
                s = c.prepareStatement(sql);
                statements.put(sql, s);
            }
            int end = i;
            while (end < ops.size() && ops.get(end).sql().equals(sql)) end++;
            for (int k = i; k < end; k++) {
                Object[] params = ops.get(k).params();
                for (int p = 0; p < params.length; p++) s.setObject(p + 1, params[p]);
                if (end - i == 1) s.executeUpdate();
                else s.addBatch();
            }
            if (end - i > 1) s.executeBatch();
            i = end;
        }
    }

    /** Closes the statements this transaction prepared. */
    void close() {
        for (PreparedStatement s : statements.values()) {
            try {
                s.close();
            } catch (SQLException ignored) {
                // closing the connection closes it too
            }
        }
        statements.clear();
    }

    private static String json(Object value) {
        try {
            return SqlStore.ROW_WRITER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new StateException("cannot write " + value.getClass().getSimpleName() + " as JSON: " + e.getMessage(), e);
        }
    }
}

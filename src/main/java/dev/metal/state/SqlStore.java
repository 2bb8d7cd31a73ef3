package dev.metal.state;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.metal.model.ConflictException;
import dev.metal.model.Host;
import dev.metal.model.Inventory;
import dev.metal.model.Macs;
import dev.metal.model.Site;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The state in a SQL database, for both engines: hosts are rows (their inventories and
 * other nested records JSON), the journal a table. Reads are one query each; a change is
 * one transaction that reads and locks only the rows it asks for (see {@link SqlTransaction}).
 * The engines differ in how they connect, lock and name things ({@link Dialect}).
 */
abstract class SqlStore implements Store {
    static final int RETRIES = 8;
    /** JSON of one row: compact, secrets as their references (as the JSON state file has them). */
    static final ObjectWriter ROW_WRITER = StateStore.mapper().writer().without(SerializationFeature.INDENT_OUTPUT);
    static final ObjectReader HOST_READER = StateStore.mapper().readerFor(Host.class);
    static final ObjectReader INVENTORY_READER = StateStore.mapper().readerFor(Inventory.class);
    static final ObjectReader DETAIL_READER = StateStore.mapper().readerFor(new TypeReference<Map<String, Object>>() {});

    final Dialect dialect;
    final String command;
    final Clock clock;
    private volatile boolean schemaChecked;

    SqlStore(Dialect dialect, String command, Clock clock) {
        this.dialect = dialect;
        this.command = command;
        this.clock = clock;
    }

    /** A connection for one read or one change; null for a read when there is no state yet. */
    abstract Connection connect(boolean write) throws SQLException;

    /** Hands a connection back; a broken one is closed. */
    abstract void release(Connection c, boolean broken);

    /** A StateException that says where and what, never a password. */
    abstract StateException failure(String doing, SQLException e);

    /** Whether a failed transaction may simply run again (a deadlock or serialization conflict). */
    boolean retryable(SQLException e) {
        return false;
    }

    static boolean connectionLost(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("08") || state.equals("57P01") || state.equals("57P02")
                || state.equals("57P03"));
    }

    // ---- reads ----------------------------------------------------------------------------

    @FunctionalInterface
    interface Read<T> {
        T apply(Connection c) throws SQLException;
    }

    /** Runs one read; {@code empty} when there is no state at all yet. */
    <T> T read(String doing, T empty, Read<T> read) {
        Connection c = null;
        boolean broken = false;
        try {
            c = connect(false);
            if (c == null) return empty;
            checkSchema(c);
            return read.apply(c);
        } catch (SQLException e) {
            broken = connectionLost(e);
            throw failure(doing, e);
        } finally {
            if (c != null) release(c, broken);
        }
    }

    @Override
    public Host host(String hostname) {
        return read("read host " + hostname, null, c -> selectHost(c, dialect, hostname, false));
    }

    @Override
    public List<Host> hosts(HostQuery query) {
        return read("read hosts", List.of(), c -> selectHosts(c, dialect, query, ""));
    }

    @Override
    public Host hostByMac(String mac) {
        String wanted = Macs.normalize(mac);
        if (wanted == null) return null;
        return read("find MAC " + wanted, null, c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT hostname FROM host_macs WHERE mac = ? ORDER BY hostname" + dialect.byteOrder)) {
                s.setString(1, wanted);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? selectHost(c, dialect, r.getString(1), false) : null;
                }
            }
        });
    }

    @Override
    public Site site() {
        return read("read the site plan", null, c -> selectSite(c, ""));
    }

    @Override
    public Map<String, Integer> poolTargets() {
        return read("read pool targets", Map.of(), SqlStore::selectPoolTargets);
    }

    @Override
    public List<JournalEntry> journal(JournalQuery query) {
        return read("read the journal", List.of(), c -> selectJournal(c, query));
    }

    // ---- changes --------------------------------------------------------------------------

    @Override
    public <T> T update(Change<T> change) {
        for (int attempt = 1; ; attempt++) {
            Connection c = null;
            boolean broken = false;
            try {
                c = connect(true);
                checkSchema(c);
                c.setAutoCommit(false);
                SqlTransaction tx = new SqlTransaction(c, dialect, command, clock.instant());
                try {
                    T result = change.apply(tx);
                    tx.flush();
                    c.commit();
                    return result;
                } catch (SqlTransaction.Failure f) {
                    throw f.getCause();
                } catch (RuntimeException | Error e) {
                    rollback(c);
                    throw e;
                } finally {
                    tx.close();
                }
            } catch (SQLException e) {
                broken = connectionLost(e);
                if (c != null && !broken) rollback(c);
                if (retryable(e) && attempt < RETRIES) continue;
                throw failure("write", e);
            } finally {
                if (c != null) {
                    if (!broken) {
                        try {
                            c.setAutoCommit(true);
                        } catch (SQLException e) {
                            broken = true;
                        }
                    }
                    release(c, broken);
                }
            }
        }
    }

    private static void rollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is gone; the database rolled back itself
        }
    }

    // ---- schema ---------------------------------------------------------------------------

    /** Creates or migrates the schema on first use; refuses a database made by a newer metal. */
    void checkSchema(Connection c) throws SQLException {
        if (schemaChecked) return;
        int version = schemaVersion(c);
        if (version < Dialect.SCHEMA_VERSION) {
            migrate(c);
            version = schemaVersion(c);
        }
        if (version > Dialect.SCHEMA_VERSION) {
            throw new StateException("the state " + location() + " has schema version " + version
                    + ", newer than this metal understands (" + Dialect.SCHEMA_VERSION + "); use a newer metal");
        }
        schemaChecked = true;
    }

    static int schemaVersion(Connection c) throws SQLException {
        boolean auto = c.getAutoCommit();
        try (Statement s = c.createStatement()) {
            if (!tableExists(c, "metal_schema")) return 0;
            try (ResultSet r = s.executeQuery("SELECT max(version) FROM metal_schema")) {
                return r.next() ? r.getInt(1) : 0;
            }
        } finally {
            if (auto != c.getAutoCommit()) c.setAutoCommit(auto);
        }
    }

    static boolean tableExists(Connection c, String table) throws SQLException {
        try (ResultSet r = c.getMetaData().getTables(null, null, table, new String[] {"TABLE"})) {
            return r.next();
        }
    }

    /** Runs the migrations the database lacks, in one transaction, with every other migrator waiting. */
    private void migrate(Connection c) throws SQLException {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            lockForMigration(s);
            s.execute("CREATE TABLE IF NOT EXISTS metal_schema (version INTEGER NOT NULL)");
            int version;
            try (ResultSet r = s.executeQuery("SELECT coalesce(max(version), 0) FROM metal_schema")) {
                version = r.next() ? r.getInt(1) : 0;
            }
            List<List<String>> migrations = dialect.migrations();
            for (int n = version + 1; n <= migrations.size(); n++) {
                for (String sql : migrations.get(n - 1)) s.execute(sql);
                s.execute("DELETE FROM metal_schema");
                s.execute("INSERT INTO metal_schema (version) VALUES (" + n + ")");
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            rollback(c);
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    /** Keeps two first uses from creating the schema at once (SQLite's write transaction already does). */
    void lockForMigration(Statement s) throws SQLException {}

    // ---- row mapping, shared with the transaction -----------------------------------------

    static Host selectHost(Connection c, Dialect dialect, String hostname, boolean lock) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT body, inventory, previous_inventory FROM hosts"
                + " WHERE hostname = ?" + (lock ? dialect.forUpdate(false) : ""))) {
            s.setString(1, hostname);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? host(r.getString(1), r.getString(2), r.getString(3), true) : null;
            }
        }
    }

    /** @param lock "" for a plain read, else the dialect's FOR UPDATE clause */
    static List<Host> selectHosts(Connection c, Dialect dialect, HostQuery q, String lock) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT body")
                .append(q.inventories() ? ", inventory, previous_inventory" : "").append(" FROM hosts WHERE 1 = 1");
        List<Object> params = new ArrayList<>();
        // Long name lists are filtered here rather than sent as thousands of parameters.
        boolean namesInSql = q.names() != null && q.names().size() <= 500;
        if (q.names() != null && q.names().isEmpty()) return List.of();
        if (namesInSql) in(sql, "hostname", q.names(), params);
        if (q.rack() != null) {
            sql.append(" AND rack = ?");
            params.add(q.rack());
        }
        if (q.states() != null) {
            List<String> names = new ArrayList<>();
            q.states().forEach(s -> names.add(s.name()));
            in(sql, "state", names, params);
        }
        if (q.profile() != null) {
            sql.append(" AND profile = ?");
            params.add(q.profile());
        }
        if (q.requestId() != null) {
            sql.append(" AND request_id = ?");
            params.add(q.requestId());
        }
        sql.append(" ORDER BY hostname").append(dialect.byteOrder).append(lock);
        List<Host> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < params.size(); i++) s.setString(i + 1, (String) params.get(i));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    Host h = q.inventories() ? host(r.getString(1), r.getString(2), r.getString(3), true)
                            : host(r.getString(1), null, null, false);
                    if (namesInSql || q.test(h)) out.add(h);
                }
            }
        }
        return out;
    }

    private static void in(StringBuilder sql, String column, java.util.Collection<String> values, List<Object> params) {
        sql.append(" AND ").append(column).append(" IN (");
        int i = 0;
        for (String v : values) {
            sql.append(i++ == 0 ? "?" : ", ?");
            params.add(v);
        }
        sql.append(')');
    }

    static Host host(String body, String inventory, String previous, boolean withInventories) {
        try {
            Host h = HOST_READER.readValue(body);
            if (!withInventories || (inventory == null && previous == null)) return h;
            return new Host(h.hostname(), h.rack(), h.u(), h.bmc(), h.mgmtMac(), h.serial(), h.tags(), h.state(),
                    h.stateReason(), h.stateSince(),
                    inventory == null ? null : INVENTORY_READER.readValue(inventory),
                    previous == null ? null : INVENTORY_READER.readValue(previous),
                    h.match(), h.addresses(), h.provisioning());
        } catch (IOException e) {
            throw new StateException("a host row of the state is not valid JSON: " + e.getMessage(), e);
        }
    }

    static Site selectSite(Connection c, String lock) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT body FROM site WHERE id = 1" + lock)) {
            if (!r.next()) return null;
            try {
                return StateStore.mapper().readValue(r.getString(1), Site.class);
            } catch (IOException e) {
                throw new StateException("the site plan in the state is not valid JSON: " + e.getMessage(), e);
            }
        }
    }

    static Map<String, Integer> selectPoolTargets(Connection c) throws SQLException {
        Map<String, Integer> out = new TreeMap<>();
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT profile, target FROM pool_targets")) {
            while (r.next()) out.put(r.getString(1), r.getInt(2));
        }
        return Collections.unmodifiableMap(out);
    }

    List<JournalEntry> selectJournal(Connection c, JournalQuery q) throws SQLException {
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        List<Object> params = new ArrayList<>();
        if (q.host() != null) {
            where.append(" AND host = ?");
            params.add(q.host());
        }
        if (q.events() != null) in(where, "event", q.events(), params);
        if (q.since() != null) {
            where.append(" AND at >= ?");
            params.add(epochNanos(q.since()));
        }
        String sql = "SELECT time, command, host, event, detail FROM journal" + where + " ORDER BY id";
        if (q.limit() > 0) {
            sql = "SELECT time, command, host, event, detail FROM (SELECT id, time, command, host, event, detail"
                    + " FROM journal" + where + " ORDER BY id DESC LIMIT " + q.limit() + ") last ORDER BY id";
        }
        List<JournalEntry> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.size(); i++) s.setObject(i + 1, params.get(i));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    try {
                        Map<String, Object> detail = DETAIL_READER.readValue(r.getString(5));
                        out.add(new JournalEntry(Instant.parse(r.getString(1)), r.getString(2), r.getString(3),
                                r.getString(4), detail));
                    } catch (IOException e) {
                        throw new StateException("a journal row of the state is not valid JSON: " + e.getMessage(), e);
                    }
                }
            }
        }
        return out;
    }

    static long epochNanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    // ---- export and import ----------------------------------------------------------------

    @Override
    public void export(OutputStream out) {
        read("export", null, c -> {
            ObjectMapper m = StateStore.mapper();
            try (JsonGenerator g = m.getFactory().createGenerator(out, JsonEncoding.UTF8)) {
                g.useDefaultPrettyPrinter();
                g.writeStartObject();
                g.writeNumberField("schemaVersion", State.SCHEMA_VERSION);
                g.writeObjectFieldStart("hosts");
                try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(
                        "SELECT hostname, body, inventory, previous_inventory FROM hosts ORDER BY hostname" + dialect.byteOrder)) {
                    while (r.next()) {
                        g.writeFieldName(r.getString(1));
                        m.writeValue(g, host(r.getString(2), r.getString(3), r.getString(4), true));
                    }
                }
                g.writeEndObject();
                g.writeFieldName("site");
                m.writeValue(g, selectSite(c, ""));
                g.writeFieldName("poolTargets");
                m.writeValue(g, selectPoolTargets(c));
                g.writeArrayFieldStart("journal");
                for (JournalEntry e : selectJournal(c, JournalQuery.all())) m.writeValue(g, e);
                g.writeEndArray();
                g.writeEndObject();
            } catch (IOException e) {
                throw new StateException("cannot write the export: " + e.getMessage(), e);
            }
            return null;
        });
        if (!exists()) {
            // An empty state still exports as one.
            try {
                StateStore.mapper().writeValue(new NonClosing(out), Dump.empty());
            } catch (IOException e) {
                throw new StateException("cannot write the export: " + e.getMessage(), e);
            }
        }
    }

    /** Whether there is a state to read (SQLite: the file exists). */
    boolean exists() {
        return true;
    }

    @Override
    public int importState(InputStream in, String source) {
        Dump dump = Dump.read(in, source);
        return importDump(dump, source);
    }

    /** Writes a whole state into this empty one, in one transaction. */
    int importDump(Dump dump, String source) {
        return update(tx -> {
            SqlTransaction t = (SqlTransaction) tx;
            if (!t.isEmpty()) {
                throw new ConflictException("the state " + location() + " is not empty; import " + source
                        + " into a new state");
            }
            for (Host h : dump.hosts().values()) t.putRow(h);
            if (dump.site() != null) t.putSiteRow(dump.site());
            for (Map.Entry<String, Integer> e : dump.poolTargets().entrySet()) t.putPoolTargetRow(e.getKey(), e.getValue());
            for (JournalEntry e : dump.journal()) t.journalRow(e);
            return dump.hosts().size();
        });
    }

    /** An OutputStream the JSON writer may close without closing the caller's. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }

    /** The whole state as {@code metal state export} writes it; a JSON state file reads as one without a journal. */
    record Dump(int schemaVersion, Map<String, Host> hosts, Site site, Map<String, Integer> poolTargets,
                List<JournalEntry> journal) {
        Dump {
            hosts = hosts == null ? Map.of() : new LinkedHashMap<>(hosts);
            poolTargets = poolTargets == null ? Map.of() : new TreeMap<>(poolTargets);
            journal = journal == null ? List.of() : journal;
        }

        static Dump empty() {
            return new Dump(State.SCHEMA_VERSION, Map.of(), null, Map.of(), List.of());
        }

        static Dump read(InputStream in, String source) {
            Dump dump;
            try {
                dump = StateStore.mapper().readValue(in, Dump.class);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new dev.metal.model.BadInputException(source + " is not a metal state export: "
                        + e.getOriginalMessage());
            } catch (IOException e) {
                throw new dev.metal.model.BadInputException("cannot read " + source + ": " + e.getMessage());
            }
            if (dump == null) throw new dev.metal.model.BadInputException(source + " is not a metal state export: it is null");
            if (dump.schemaVersion() > State.SCHEMA_VERSION) {
                throw new dev.metal.model.BadInputException(source + " has schema version " + dump.schemaVersion()
                        + ", newer than this metal understands (" + State.SCHEMA_VERSION + ")");
            }
            for (Map.Entry<String, Host> e : dump.hosts().entrySet()) {
                if (e.getValue() == null || !e.getKey().equals(e.getValue().hostname())) {
                    throw new dev.metal.model.BadInputException(source + ": host " + e.getKey()
                            + " is empty or has another hostname");
                }
            }
            return dump;
        }
    }
}

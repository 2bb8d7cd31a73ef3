package dev.metal.state;

import java.util.List;

/**
 * What differs between the two SQL engines: column types, row locks, and the numbered
 * migrations of the one schema. Everything else is the same SQL.
 */
enum Dialect {
    SQLITE("TEXT", "INTEGER PRIMARY KEY", "?", "", ""),
    POSTGRES("JSONB", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "?::jsonb", " COLLATE \"C\"", " FOR UPDATE");

    /** The type of the JSON columns. */
    final String json;
    /** The journal's ordered key. */
    final String serial;
    /** A JSON parameter. */
    final String jsonParam;
    /** Hostname order as Java sorts strings, whatever the database's locale. */
    final String byteOrder;
    /** Locks the rows a transaction reads (SQLite's BEGIN IMMEDIATE already holds the whole file). */
    final String forUpdate;

    Dialect(String json, String serial, String jsonParam, String byteOrder, String forUpdate) {
        this.json = json;
        this.serial = serial;
        this.jsonParam = jsonParam;
        this.byteOrder = byteOrder;
        this.forUpdate = forUpdate;
    }

    String forUpdate(boolean skipLocked) {
        if (forUpdate.isEmpty()) return "";
        return skipLocked ? forUpdate + " SKIP LOCKED" : forUpdate;
    }

    /** The schema's version: the number of migrations. A database with more was made by a newer metal. */
    static final int SCHEMA_VERSION = 1;

    /** Migration n (1-based) takes the schema from version n-1 to n. */
    List<List<String>> migrations() {
        return List.of(List.of(
                "CREATE TABLE hosts (hostname TEXT PRIMARY KEY, rack TEXT NOT NULL, state TEXT NOT NULL,"
                        + " profile TEXT, request_id TEXT, body " + json + " NOT NULL, inventory " + json + ","
                        + " previous_inventory " + json + ")",
                "CREATE INDEX hosts_state ON hosts (state)",
                "CREATE INDEX hosts_rack ON hosts (rack)",
                "CREATE INDEX hosts_profile ON hosts (profile)",
                "CREATE INDEX hosts_request ON hosts (request_id)",
                "CREATE TABLE host_macs (mac TEXT NOT NULL, hostname TEXT NOT NULL, PRIMARY KEY (mac, hostname))",
                "CREATE INDEX host_macs_host ON host_macs (hostname)",
                "CREATE TABLE site (id INTEGER PRIMARY KEY, body " + json + " NOT NULL)",
                "CREATE TABLE pool_targets (profile TEXT PRIMARY KEY, target INTEGER NOT NULL)",
                "CREATE TABLE journal (id " + serial + ", at BIGINT NOT NULL, time TEXT NOT NULL,"
                        + " command TEXT NOT NULL, host TEXT, event TEXT NOT NULL, detail " + json + " NOT NULL)",
                "CREATE INDEX journal_host ON journal (host, id)"));
    }
}

package dev.metal.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metal.cli.CliRun;
import dev.metal.model.Bmc;
import dev.metal.model.Host;
import dev.metal.model.HostState;
import dev.metal.model.Provisioning;
import dev.metal.model.Secret;
import dev.metal.profile.Inventories;
import dev.metal.render.RenderFixture;
import dev.metal.testing.TestState;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JSON state as this release's JSON engine writes it moves to SQLite on first use, with
 * every field equal, once, keeping the JSON as a backup; a half-built database from a move
 * that crashed is thrown away and the move made again.
 */
class JsonMigrationTest {
    @TempDir
    Path dir;

    /** A JSON state with every kind of record: inventories and their previous versions, matches, addresses, tokens, pins, site plan, pool targets, journal. */
    static void makeJsonState(Path state) {
        JsonFileStore json = new JsonFileStore(state, "fixture", Clock.systemUTC());
        json.update(tx -> {
            tx.putSite(RenderFixture.site(), "site-set", Map.of("file", "samples/site.yaml", "racks", 2));
            tx.putPoolTarget("r650-2x25g", 3, "pool-target", Map.of("profile", "r650-2x25g", "target", 3));
            return null;
        });
        for (int n = 1; n <= 12; n++) {
            int i = n;
            json.update(tx -> {
                Host h = RenderFixture.host(i % 2 == 0 ? "r01" : "r02", i);
                Bmc pinned = new Bmc(h.bmc().mac(), "10.0.0." + i, "admin", Secret.of(i % 3 == 0 ? "literal-pw-" + i : "env:BMC_PW"),
                        623, "sha256:" + "ab".repeat(32));
                h = h.withBmc(pinned).withInventory(Inventories.supermicro(i)).withInventory(Inventories.dellR6525(i))
                        .withAddresses(Map.of("rack", h.rack(), "public.ipv4", "203.0.113." + i + "/26"));
                Instant t = Instant.parse("2026-11-21T10:00:00.000000123Z").plusSeconds(i);
                h = h.moveTo(HostState.DISCOVERED, null, t).moveTo(HostState.INVENTORIED, null, t).moveTo(HostState.READY, "matched", t);
                if (i % 4 == 0) {
                    h = h.moveTo(HostState.PROVISIONING, "claimed", t).withProvisioning(new Provisioning("p-abc", "debian-12",
                            Secret.randomToken(), t, null, 1, "ssh-ed25519 AAAA test"));
                }
                Map<String, Object> detail = new LinkedHashMap<>();
                detail.put("line", i + 1);
                detail.put("file", "rack.csv");
                detail.put("nested", Map.of("list", java.util.List.of(1, 2.5, "x"), "flag", true));
                tx.put(h, "imported", detail);
                tx.journal(h.hostname(), "power-on", Map.of());
                return null;
            });
        }
    }

    @Test
    void aJsonStateMovesToSqliteOnceWithEveryFieldEqual() throws Exception {
        Path state = dir.resolve("state.json");
        makeJsonState(state);
        Path journal = dir.resolve("state.json.journal");
        byte[] originalState = Files.readAllBytes(state);
        byte[] originalJournal = Files.readAllBytes(journal);
        String before = export(new JsonFileStore(state, "t", Clock.systemUTC()));

        ByteArrayOutputStream notices = new ByteArrayOutputStream();
        try (Store s = Stores.open(state.toString(), "test", Clock.systemUTC(), Map.of(), new PrintStream(notices, true))) {
            assertEquals(before, export(s), "every host, inventory, match, address, token, pin, site, pool target and journal entry");
        }
        String notice = notices.toString(StandardCharsets.UTF_8);
        assertTrue(notice.contains("from JSON to SQLite") && notice.contains(state + ".json-backup"), notice);
        assertEquals(Stores.Kind.SQLITE, Stores.kind(state));
        assertArrayEquals(originalState, Files.readAllBytes(dir.resolve("state.json.json-backup")), "the JSON kept as it was");
        assertArrayEquals(originalJournal, Files.readAllBytes(dir.resolve("state.json.journal.json-backup")));
        assertFalse(Files.exists(journal), "the journal is in the database now");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state)));

        ByteArrayOutputStream again = new ByteArrayOutputStream();
        try (Store s = Stores.open(state.toString(), "test", Clock.systemUTC(), Map.of(), new PrintStream(again, true))) {
            assertEquals(12, s.hosts(HostQuery.all()).size());
        }
        assertEquals("", again.toString(StandardCharsets.UTF_8), "the message comes once");

        // The commands read the moved state.
        CliRun history = CliRun.metal(state, "host", "history", "r01-s04", "--json");
        assertEquals(0, history.exitCode, history.toString());
        assertTrue(history.out.contains("\"event\" : \"imported\"") && history.out.contains("\"nested\""), history.out);
        assertFalse(history.out.contains("literal-pw"), history.out);
    }

    @Test
    void aHalfBuiltDatabaseFromACrashedMoveIsThrownAwayAndTheMoveMadeAgain() throws Exception {
        Path state = dir.resolve("state.json");
        makeJsonState(state);
        String before = export(new JsonFileStore(state, "t", Clock.systemUTC()));
        // What a move killed halfway leaves: a partial database beside the untouched JSON.
        Files.write(dir.resolve("state.json.sqlite-building"), "SQLite format 3\0 torn".getBytes(StandardCharsets.ISO_8859_1));
        Files.write(dir.resolve("state.json.sqlite-building-wal"), new byte[100]);
        assertEquals(before, TestState.export(state));
        assertFalse(Files.exists(dir.resolve("state.json.sqlite-building")));
        assertFalse(Files.exists(dir.resolve("state.json.sqlite-building-wal")));
    }

    @Test
    void aMovedStateMovesOnThroughExportAndImport() throws Exception {
        Path state = dir.resolve("state.json");
        makeJsonState(state);
        Path file = dir.resolve("export.json");
        CliRun exported = CliRun.metal(state, "state", "export", "-o", file.toString());
        assertEquals(0, exported.exitCode, exported.toString());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        CliRun stdout = CliRun.metal(state, "state", "export");
        assertEquals(Files.readString(file).strip(), stdout.out.strip());

        Path other = dir.resolve("other.json");
        CliRun imported = CliRun.metal(other, "state", "import", file.toString());
        assertEquals(0, imported.exitCode, imported.toString());
        assertTrue(imported.out.contains("imported 12 hosts"), imported.out);
        assertEquals(TestState.export(state), TestState.export(other));

        CliRun twice = CliRun.metal(other, "state", "import", file.toString());
        assertEquals(2, twice.exitCode, twice.toString());
        assertTrue(twice.err.contains("is not empty"), twice.err);

        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, Files.readString(file).substring(0, 5000));
        Path third = dir.resolve("third.json");
        CliRun bad = CliRun.metal(third, "state", "import", broken.toString());
        assertEquals(2, bad.exitCode, bad.toString());
        assertTrue(bad.err.contains(broken.toString()), bad.err);
        assertEquals(0, TestState.hosts(third).size(), "a failed import leaves nothing");
    }

    static String export(Store s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        s.export(out);
        return out.toString(StandardCharsets.UTF_8);
    }
}

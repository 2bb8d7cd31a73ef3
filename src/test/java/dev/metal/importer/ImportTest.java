package dev.metal.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.metal.cli.CliRun;
import dev.metal.util.Json;
import dev.metal.testing.TestState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImportTest {
    static final Path SAMPLE = Path.of(System.getProperty("metal.basedir", "."), "samples/rack.csv");
    static final String HEADER = "hostname,rack,u,bmc_mac,bmc_address,bmc_user,bmc_password,mgmt_mac,serial,tags\n";

    @TempDir
    Path dir;

    Path csv(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void sampleImportsAndListsEveryHost() throws Exception {
        Path state = dir.resolve("state.json");
        CliRun run = CliRun.metal(state, "import", SAMPLE.toString());
        assertEquals(0, run.exitCode, run.toString());
        assertTrue(run.out.contains("40 added"), run.out);

        CliRun list = CliRun.metal(state, "host", "list", "--json");
        assertEquals(0, list.exitCode, list.toString());
        JsonNode hosts = Json.mapper().readTree(list.out).get("hosts");
        assertEquals(40, hosts.size());
        JsonNode first = hosts.get(0);
        assertEquals("r01-n01", first.get("hostname").asText());
        assertEquals("r01", first.get("rack").asText());
        assertEquals(2, first.get("u").asInt());
        assertEquals("imported", first.get("state").asText());
        assertEquals("ac:1f:6b:01:10:01", first.get("bmc").get("mac").asText());
        assertTrue(first.get("bmc").has("address"));
        assertEquals("10.10.0.12", hosts.get(1).get("bmc").get("address").asText());

        try (var files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("state.json")).toList()) {
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), f.toString());
            }
        }
    }

    @Test
    void everyErrorIsReportedWithItsLineAndNothingIsWritten() throws Exception {
        Path state = dir.resolve("state.json");
        assertEquals(0, CliRun.metal(state, "import", SAMPLE.toString()).exitCode);
        String before = TestState.export(state);

        Path bad = csv("bad.csv", HEADER
                + "ok-1,r9,1,02:00:00:00:00:01,10.9.0.1,admin,pw,02:00:00:00:01:01,S1,\n"
                + "bad_name,r9,2,02:00:00:00:00:02,10.9.0.2,admin,pw,02:00:00:00:01:02,S2,\n"
                + "ok-3,r9,3,02:00:00:00:00:zz,10.9.0.3,admin,pw,02:00:00:00:01:03,S3,\n"
                + "ok-4,r9,4,02:00:00:00:00:04,300.1.2.3,admin,pw,02:00:00:00:01:04,S4,\n"
                + "ok-5,r9,5,02:00:00:00:00:05,10.9.0.5,,pw,02:00:00:00:01:05,S5,\n"
                + "ok-1,r9,6,02:00:00:00:00:06,10.9.0.6,admin,pw,02:00:00:00:01:06,S6,\n"
                + "ok-7,r9,7,02:00:00:00:00:01,10.9.0.7,admin,pw,02:00:00:00:01:07,S7,\n"
                + "ok-8,r9,8,ac:1f:6b:01:10:01,10.9.0.8,admin,pw,02:00:00:00:01:08,S8,\n");
        CliRun run = CliRun.metal(state, "import", bad.toString());
        assertEquals(2, run.exitCode, run.toString());
        String err = run.err;
        assertTrue(err.contains("bad.csv line 3: bad hostname ("), err);
        assertTrue(err.contains("bad.csv line 4: bad bmc_mac ("), err);
        assertTrue(err.contains("bad.csv line 5: bad bmc_address: "), err);
        assertTrue(err.contains("bad.csv line 6: missing bmc_user"), err);
        assertTrue(err.contains("bad.csv line 7: duplicate hostname ok-1 (first on line 2)"), err);
        assertTrue(err.contains("bad.csv line 8: duplicate BMC MAC 02:00:00:00:00:01 (also on line 2)"), err);
        assertTrue(err.contains("bad.csv line 9: duplicate BMC MAC ac:1f:6b:01:10:01: already used by host r01-n01"),
                err);
        assertFalse(err.contains("pw"), "no password in errors: " + err);
        assertEquals("", run.out);
        assertEquals(before, TestState.export(state), "state and journal unchanged");
    }

    @Test
    void aMisalignedRowNeverEchoesThePassword() throws Exception {
        // bmc_user left out: the password lands in bmc_user's place, the MAC in the password's, and so on.
        Path bad = csv("shifted.csv", "hostname,rack,bmc_mac,u,bmc_user,bmc_password,mgmt_mac\n"
                + "web-1,r1,02:00:00:00:00:01,Sup3rS3cretPW,02:00:00:00:01:01,Sup3rS3cretPW,Sup3rS3cretPW\n");
        CliRun run = CliRun.metal(dir.resolve("state.json"), "import", bad.toString());
        assertEquals(2, run.exitCode, run.toString());
        assertTrue(run.err.contains("shifted.csv line 2: bad u ("), run.err);
        assertTrue(run.err.contains("shifted.csv line 2: bad mgmt_mac ("), run.err);
        assertFalse(run.err.contains("Sup3rS3cretPW") || run.out.contains("Sup3rS3cretPW"), run.err);
    }

    @Test
    void otherEncodingsAreNamedWithTheirLineAndLongErrorListsAreCapped() throws Exception {
        Path state = dir.resolve("state.json");
        Path latin = dir.resolve("latin.csv");
        Files.write(latin, (HEADER + "ok-1,r9,1,02:00:00:00:00:01,10.9.0.1,admin,pw,02:00:00:00:01:01,S1,\n"
                + "caf\u00e9,r9,2,02:00:00:00:00:02,10.9.0.2,admin,pw,02:00:00:00:01:02,S2,\n")
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        CliRun run = CliRun.metal(state, "import", latin.toString());
        assertEquals(2, run.exitCode, run.toString());
        assertEquals("metal: " + latin + " line 3: not UTF-8 text (Latin-1 or Windows-1252?); save the file as UTF-8\n",
                run.err);
        Path utf16 = dir.resolve("utf16.csv");
        Files.write(utf16, HEADER.getBytes(java.nio.charset.StandardCharsets.UTF_16));
        CliRun u = CliRun.metal(state, "import", utf16.toString());
        assertEquals(2, u.exitCode, u.toString());
        assertEquals("metal: " + utf16 + ": is UTF-16 (or holds NUL bytes); save it as UTF-8\n", u.err);

        StringBuilder wide = new StringBuilder("hostname,rack,u,bmc_mac,bmc_address,bmc_user,bmc_password,mgmt_mac");
        for (int i = 0; i < 60_000; i++) wide.append(",x").append(i);
        CliRun w = CliRun.metal(state, "import", csv("wide.csv", wide + "\n").toString());
        assertEquals(2, w.exitCode);
        List<String> lines = w.err.lines().toList();
        assertEquals(51, lines.size(), lines.subList(0, 3).toString());
        assertTrue(lines.get(50).endsWith("wide.csv: 59950 more problems not listed"), lines.get(50));
    }

    @Test
    void unknownAndMissingColumnsAreNamed() throws Exception {
        Path state = dir.resolve("state.json");
        Path bad = csv("cols.csv", "Hostname,RACK,u,bmc_mac,colour\nx,r1,1,02:00:00:00:00:01,red\n");
        CliRun run = CliRun.metal(state, "import", bad.toString());
        assertEquals(2, run.exitCode, run.toString());
        assertTrue(run.err.contains("cols.csv line 1: unknown column 'colour'"), run.err);
        assertTrue(run.err.contains("cols.csv line 1: missing column 'bmc_user' (or give --bmc-user for all rows)"),
                run.err);
        assertFalse(run.err.contains("column 'mgmt_mac'"), run.err);
        assertFalse(Files.exists(state));
        assertFalse(Files.exists(dir.resolve("state.json.lock")), "a failed import leaves a lock file");
    }

    @Test
    void reimportIsIdempotentAndChangesNeedUpdate() throws Exception {
        Path state = dir.resolve("state.json");
        Path v1 = csv("v1.csv", HEADER + "a1,r1,1,02-00-00-00-00-01,,admin,secret-one,0200.0000.0101,S1,web\n");
        assertEquals(0, CliRun.metal(state, "import", v1.toString()).exitCode);
        String before = TestState.export(state);

        CliRun again = CliRun.metal(state, "import", v1.toString());
        assertEquals(0, again.exitCode, again.toString());
        assertTrue(again.out.contains("0 added, 0 updated, 1 unchanged"), again.out);
        assertEquals(before, TestState.export(state));

        Path v2 = csv("v2.csv", HEADER + "a1,r1,1,02:00:00:00:00:01,,admin,secret-two,02:00:00:00:01:01,S1,web\n");
        CliRun refused = CliRun.metal(state, "import", v2.toString());
        assertEquals(2, refused.exitCode, refused.toString());
        assertTrue(refused.err.contains("v2.csv line 2: a1 is already known with other values (bmc_password)"),
                refused.err);
        assertFalse(refused.err.contains("secret"), refused.err);
        assertEquals(before, TestState.export(state));

        CliRun dry = CliRun.metal(state, "import", "--update", "--dry-run", v2.toString());
        assertEquals(0, dry.exitCode, dry.toString());
        assertTrue(dry.out.contains("would import") && dry.out.contains("update a1"), dry.out);
        assertEquals(before, TestState.export(state));

        CliRun updated = CliRun.metal(state, "import", "--update", v2.toString());
        assertEquals(0, updated.exitCode, updated.toString());
        assertTrue(updated.out.contains("0 added, 1 updated"), updated.out);
        assertTrue(TestState.export(state).contains("secret-two"), "the store keeps the password reference");
    }

    @Test
    void passwordsNeverReachOutputOrJournal() throws Exception {
        Path state = dir.resolve("state.json");
        Path v1 = csv("p.csv", HEADER + "a1,r1,1,02:00:00:00:00:01,10.0.0.1,admin,hunter2-pw,02:00:00:00:01:01,,\n");
        assertEquals(0, CliRun.metal(state, "import", v1.toString()).exitCode);
        for (String[] args : new String[][] {
            {"host", "show", "a1"}, {"host", "show", "a1", "--json"}, {"host", "list", "--json"},
            {"host", "history", "a1", "--json"}, {"host", "history", "a1"}}) {
            CliRun run = CliRun.metal(state, args);
            assertEquals(0, run.exitCode, run.toString());
            assertFalse(run.out.contains("hunter2") || run.err.contains("hunter2"), String.join(" ", args) + run);
        }
        assertTrue(CliRun.metal(state, "host", "show", "a1", "--json").out.contains("\"password\" : \"****\""));
        assertFalse(TestState.journal(state).contains("hunter2"));
    }

    @Test
    void hostCommandsFilterShowRemoveAndTellHistory() throws Exception {
        Path state = dir.resolve("state.json");
        assertEquals(0, CliRun.metal(state, "import", SAMPLE.toString()).exitCode);
        JsonNode r02 = Json.mapper().readTree(CliRun.metal(state, "host", "list", "--rack", "r02", "--json").out).get("hosts");
        assertEquals(20, r02.size());
        JsonNode gpu = Json.mapper().readTree(CliRun.metal(state, "host", "list", "--tag", "gpu", "--json").out).get("hosts");
        assertEquals(4, gpu.size());
        JsonNode ready = Json.mapper().readTree(CliRun.metal(state, "host", "list", "--in", "ready", "--json").out).get("hosts");
        assertEquals(0, ready.size());
        assertEquals(2, CliRun.metal(state, "host", "list", "--in", "sleepy").exitCode);

        assertEquals(0, CliRun.metal(state, "host", "remove", "r01-n05").exitCode);
        assertEquals(2, CliRun.metal(state, "host", "show", "r01-n05").exitCode);
        CliRun history = CliRun.metal(state, "host", "history", "r01-n05", "--json");
        JsonNode events = Json.mapper().readTree(history.out).get("events");
        assertEquals("imported", events.get(0).get("event").asText());
        assertEquals("import", events.get(0).get("command").asText());
        assertEquals("removed", events.get(1).get("event").asText());
        CliRun unknown = CliRun.metal(state, "host", "show", "nope");
        assertEquals(2, unknown.exitCode);
        assertEquals("metal: unknown host nope\n", unknown.err);
    }
}

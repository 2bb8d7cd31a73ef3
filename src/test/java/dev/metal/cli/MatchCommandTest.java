package dev.metal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.metal.model.Bmc;
import dev.metal.model.Host;
import dev.metal.model.HostState;
import dev.metal.model.Inventory;
import dev.metal.model.Secret;
import dev.metal.profile.Inventories;
import dev.metal.state.JournalQuery;
import dev.metal.state.Stores;
import dev.metal.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MatchCommandTest {
    static final String SAMPLES = Path.of(System.getProperty("metal.basedir", "."), "samples/profiles").toString();

    @TempDir
    Path dir;
    Path state;
    int nextU = 1;

    @BeforeEach
    void setUp() {
        state = dir.resolve("state.json");
    }

    /** A host as scraping leaves it: inventoried, or moved on to {@code target}. */
    private void host(String name, Inventory inv, HostState... path) {
        int u = nextU++;
        Stores.open(state.toString(), "test", Clock.systemUTC()).update(tx -> {
            Host h = Host.imported(name, "r1", u, new Bmc(String.format("0c:c4:7a:00:00:%02x", u), "10.0.0." + u,
                    "root", Secret.of("calvin"), 623, null), "b8:59:9f:10:00:01", null, List.of(), tx.now());
            h = h.moveTo(HostState.DISCOVERED, null, tx.now()).withInventory(inv)
                    .moveTo(HostState.INVENTORIED, null, tx.now());
            for (HostState s : path) h = h.moveTo(s, "test", tx.now());
            tx.put(h, "test");
            return null;
        });
    }

    private Host load(String name) {
        return Stores.open(state.toString(), "test", Clock.systemUTC()).host(name);
    }

    @Test
    void matchAllMakesHostsReadyOrFailedWithTheDifferences() throws Exception {
        host("dell1", Inventories.dellR6525(1));
        host("dell2", Inventories.dimmRemoved(Inventories.dellR6525(2), "DIMM.Socket.B2"));
        host("smc1", Inventories.supermicro(3));
        host("fresh", null);

        CliRun r = CliRun.metal(state, "match", "--all", "--profiles", SAMPLES);
        assertEquals(ExitCodes.PARTIAL, r.exitCode, r.toString());
        assertTrue(r.out.contains("dell2: differences to profile r6525-base:\n"
                + "  - DIMM slot DIMM.Socket.B2 empty: profile r6525-base expects 16 DIMMs, found 15\n"), r.out);
        assertFalse(r.out.contains("fresh"), "a host without inventory is not part of --all");

        Host dell1 = load("dell1");
        assertEquals(HostState.READY, dell1.state());
        assertEquals("r6525-base", dell1.match().profile());
        assertEquals(Inventories.mac(0x20, 1, 1), dell1.match().nics().get("ext0").mac());
        assertEquals(HostState.READY, load("smc1").state());

        Host dell2 = load("dell2");
        assertEquals(HostState.FAILED, dell2.state());
        assertEquals("no profile matches; nearest r6525-base: DIMM slot DIMM.Socket.B2 empty: profile r6525-base "
                + "expects 16 DIMMs, found 15", dell2.stateReason());
        assertNull(dell2.match().profile());
        assertEquals("r6525-base", dell2.match().miss().nearestProfile());

        CliRun show = CliRun.metal(state, "host", "show", "dell2");
        assertTrue(show.out.contains("match failed: nearest profile r6525-base\n  - DIMM slot DIMM.Socket.B2 empty"),
                show.out);
        JsonNode json = Json.mapper().readTree(CliRun.metal(state, "--json", "host", "show", "dell2").out);
        assertEquals("DIMM slot DIMM.Socket.B2 empty: profile r6525-base expects 16 DIMMs, found 15",
                json.at("/match/miss/differences/0").asText());
        CliRun showOk = CliRun.metal(state, "host", "show", "dell1");
        assertTrue(showOk.out.contains("disk DiskBay0 /dev/disk/by-id/nvme-"), showOk.out);
        assertTrue(showOk.out.contains(" boot\n"), showOk.out);

        long matched = Stores.open(state.toString(), "test", Clock.systemUTC()).journal(JournalQuery.all()).stream()
                .filter(e -> e.event().equals("matched") && e.command().equals("match")).count();
        assertEquals(2, matched);
    }

    @Test
    void matchingAgainChangesNothingAndAFixedHostBecomesReady() {
        host("dell", Inventories.driveMissing(Inventories.dellR6525(1), "0"));
        assertEquals(ExitCodes.FAILURE, CliRun.metal(state, "match", "dell", "--profiles", SAMPLES).exitCode);
        assertEquals(HostState.FAILED, load("dell").state());
        int journal = Stores.open(state.toString(), "test", Clock.systemUTC()).journal(JournalQuery.all()).size();
        CliRun again = CliRun.metal(state, "match", "dell", "--profiles", SAMPLES);
        assertEquals(ExitCodes.FAILURE, again.exitCode);
        assertTrue(again.out.contains("still no profile matches"), again.out);
        assertEquals(journal, Stores.open(state.toString(), "test", Clock.systemUTC()).journal(JournalQuery.all()).size(), "an unchanged failure is not journaled");

        Stores.open(state.toString(), "test", Clock.systemUTC()).update(tx -> {
            tx.put(tx.host("dell").withInventory(Inventories.dellR6525(1)), "scraped");
            return null;
        });
        CliRun fixed = CliRun.metal(state, "match", "dell", "--profiles", SAMPLES);
        assertEquals(0, fixed.exitCode, fixed.toString());
        assertEquals(HostState.READY, load("dell").state());
        assertNull(load("dell").match().miss());
        CliRun unchanged = CliRun.metal(state, "match", "dell", "--profiles", SAMPLES);
        assertTrue(unchanged.out.contains("unchanged"), unchanged.out);
    }

    @Test
    void aHostInUseIsNotRematched() {
        host("busy", Inventories.dimmRemoved(Inventories.dellR6525(1), "DIMM.Socket.A1"),
                HostState.READY, HostState.PROVISIONING, HostState.ACTIVE);
        Host before = load("busy");
        CliRun r = CliRun.metal(state, "match", "busy", "--profiles", SAMPLES);
        assertEquals(0, r.exitCode, r.toString());
        assertTrue(r.out.contains("skipped") && r.out.contains("is active; a host in use is not re-matched"), r.out);
        assertEquals(before, load("busy"));
        CliRun all = CliRun.metal(state, "match", "--all", "--profiles", SAMPLES);
        assertEquals("no hosts to match\n", all.out);
        assertEquals(before, load("busy"));
    }

    @Test
    void twoMatchingProfilesAreAnErrorNamingBothAndLeaveTheHost() throws Exception {
        Path profiles = Files.createDirectories(dir.resolve("profiles"));
        Files.copy(Path.of(SAMPLES, "r6525-base.yaml"), profiles.resolve("r6525-base.yaml"));
        Files.writeString(profiles.resolve("any-dell.yaml"), "system:\n  manufacturer: Dell*\n");
        host("dell", Inventories.dellR6525(1));
        // The profiles folder beside the state file is the default.
        CliRun r = CliRun.metal(state, "--json", "match", "dell");
        assertEquals(ExitCodes.FAILURE, r.exitCode, r.toString());
        JsonNode out = Json.mapper().readTree(r.out);
        assertEquals("ambiguous", out.at("/hosts/0/result").asText());
        assertEquals("matches 2 profiles: any-dell and r6525-base; a host must match exactly one, make these "
                + "profiles differ", out.at("/hosts/0/detail").asText());
        assertEquals(HostState.INVENTORIED, load("dell").state());
        assertNull(load("dell").match());
    }

    @Test
    void profilesComeFromTheEnvironmentWhenNoOptionIsGiven() {
        host("smc", Inventories.supermicro(1));
        CliRun r = CliRun.metal(Map.of("METAL_STATE", state.toString(), "METAL_PROFILES", SAMPLES), "match", "smc");
        assertEquals(0, r.exitCode, r.toString());
        assertEquals("supermicro-1029u", load("smc").match().profile());
    }

    @Test
    void badInputChangesNothing() throws Exception {
        host("dell", Inventories.dellR6525(1));
        CliRun unknown = CliRun.metal(state, "match", "dell", "nosuch", "--profiles", SAMPLES);
        assertEquals(ExitCodes.BAD_INPUT, unknown.exitCode);
        assertEquals("metal: unknown host nosuch\n", unknown.err);
        assertEquals(ExitCodes.BAD_INPUT, CliRun.metal(state, "match", "--profiles", SAMPLES).exitCode);

        Path profiles = Files.createDirectories(dir.resolve("broken"));
        Files.copy(Path.of(SAMPLES, "r6525-base.yaml"), profiles.resolve("r6525-base.yaml"));
        Files.writeString(profiles.resolve("typo.yaml"), "name: typo\nsystem:\n  modle: X\n");
        CliRun broken = CliRun.metal(state, "match", "--all", "--profiles", profiles.toString());
        assertEquals(ExitCodes.BAD_INPUT, broken.exitCode);
        assertTrue(broken.err.startsWith("metal: " + profiles.resolve("typo.yaml") + " line 3: unknown key 'modle'"),
                broken.err);
        assertEquals(HostState.INVENTORIED, load("dell").state());
    }

    @Test
    void profileListShowAndCheck() throws Exception {
        CliRun list = CliRun.metal(state, "profile", "list", "--profiles", SAMPLES);
        assertEquals(0, list.exitCode, list.toString());
        assertTrue(list.out.startsWith("NAME "), list.out);
        assertTrue(list.out.contains("r6525-base") && list.out.contains("mgmt0,mgmt1,ext0,ext1"), list.out);

        CliRun show = CliRun.metal(state, "profile", "show", "supermicro-1029u", "--profiles", SAMPLES);
        assertTrue(show.out.contains("adapterModel: \"*X710*\""), show.out);
        JsonNode json = Json.mapper().readTree(CliRun.metal(state, "--json", "profile", "show", "r6525-base",
                "--profiles", SAMPLES).out);
        assertEquals(25000, json.at("/profile/nics/1/speedMbps").asInt());
        assertEquals(ExitCodes.BAD_INPUT, CliRun.metal(state, "profile", "show", "nope", "--profiles", SAMPLES).exitCode);

        CliRun ok = CliRun.metal(state, "profile", "check", Path.of(SAMPLES, "r6525-base.yaml").toString());
        assertEquals(0, ok.exitCode);
        assertTrue(ok.out.endsWith("r6525-base.yaml: ok (profile r6525-base)\n"), ok.out);
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "name: bad\nnics:\n  - slot: 1\n    ports: 0\n    names: [eth0]\n");
        CliRun check = CliRun.metal(state, "profile", "check", bad.toString());
        assertEquals(ExitCodes.BAD_INPUT, check.exitCode);
        assertEquals("metal: " + bad + " line 4: ports must be at least 1\n"
                + "metal: " + bad + " line 5: 1 names for 0 ports\n", check.err);
    }

    @Test
    void aSuggestedProfileFileMatchesTheHost() throws Exception {
        host("new1", Inventories.supermicro(9));
        CliRun stdout = CliRun.metal(state, "profile", "suggest", "new1");
        assertEquals(0, stdout.exitCode, stdout.toString());
        assertTrue(stdout.out.startsWith("# Suggested by 'metal profile suggest' from new1"), stdout.out);
        assertTrue(stdout.out.contains("\nname: sys-1029u-tn10rt\n"), stdout.out);

        Path out = dir.resolve("onboard/new-type.yaml");
        CliRun write = CliRun.metal(state, "profile", "suggest", "new1", "-o", out.toString(), "--name", "smc-new");
        assertEquals("wrote " + out + " (profile smc-new)\n", write.out);
        assertEquals(stdout.out.replace("sys-1029u-tn10rt", "smc-new"), Files.readString(out));
        assertEquals(ExitCodes.BAD_INPUT, CliRun.metal(state, "profile", "suggest", "new1", "-o", out.toString()).exitCode);

        CliRun match = CliRun.metal(state, "match", "new1", "--profiles", out.getParent().toString());
        assertEquals(0, match.exitCode, match.toString());
        Host h = load("new1");
        assertEquals("smc-new", h.match().profile());
        assertNotNull(h.match().nics().get("ext0"));
    }
}

package dev.metal.provision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.metal.cli.CliRun;
import dev.metal.lab.DirectBmcs;
import dev.metal.lab.Machine;
import dev.metal.model.Host;
import dev.metal.model.HostState;
import dev.metal.state.HostQuery;
import dev.metal.state.JournalEntry;
import dev.metal.state.JournalQuery;
import dev.metal.util.Json;
import dev.metal.util.Log;
import dev.metal.workflow.StoreBootBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** metal provision end to end in-process: real CLI, real boot server, lab machines fetching over HTTP. */
class ProvisionTest {
    @TempDir
    Path dir;
    Fleet fleet;

    @BeforeEach
    void fleet() throws Exception {
        fleet = new Fleet(dir);
    }

    private CliRun metal(String... args) {
        return fleet.metal(fleet.args(args));
    }

    @Test
    void provisionsHostsOfAProfileAcrossRacks() throws Exception {
        fleet.host("web-01", "r1", 1, "web", 1).host("web-02", "r1", 2, "web", 2)
                .host("web-03", "r2", 1, "web", 3).host("db-01", "r2", 2, "db", 4);
        Path key = dir.resolve("key.pub");
        Files.writeString(key, "ssh-ed25519 AAAA test@example\n");

        CliRun r = metal("provision", "--profile", "web", "--count", "2", "--os", "debian-12",
                "--ssh-key", key.toString(), "--timeout", "20s", "--json");
        assertEquals(0, r.exitCode, r.toString());
        JsonNode report = Json.mapper().readTree(r.out);
        Set<String> chosen = new HashSet<>();
        for (JsonNode slot : report.get("slots")) {
            assertEquals("active", slot.get("status").asText());
            assertTrue(slot.get("powerCommandMs").asLong() >= slot.get("bootCommandMs").asLong());
            chosen.add(slot.get("hostname").asText());
        }
        assertEquals(Set.of("web-01", "web-03"), chosen, "one per rack, lowest U first");

        for (String name : chosen) {
            Host h = fleet.get(name);
            assertEquals(HostState.ACTIVE, h.state());
            assertNull(h.provisioning().token(), "the token ends with the provisioning");
            assertNotNull(h.provisioning().phonedHomeAt());
            assertEquals("ssh-ed25519 AAAA test@example", h.provisioning().sshKeys());
            Machine m = fleet.bmcs.machine(name);
            assertEquals(Machine.Status.INSTALLED, m.status());
            assertTrue(m.fetched().contains(fleet.server + "/files/debian/linux"), m.fetched().toString());
            assertTrue(m.fetched().contains(fleet.server + "/config/" + name + "/preseed"), m.fetched().toString());
        }
        assertEquals(HostState.READY, fleet.get("web-02").state());
        assertEquals(HostState.READY, fleet.get("db-01").state());
        // PXE once, then power (the machines were off), later boot from disk.
        List<String> web01 = fleet.bmcs.arrivals().stream().filter(a -> a.host().equals("web-01"))
                .map(DirectBmcs.Arrival::command).toList();
        assertEquals(List.of("boot pxe", "power on", "boot disk"), web01);
        String state = dev.metal.testing.TestState.export(fleet.state);
        assertFalse(r.out.contains("bmc-secret") || r.err.contains("bmc-secret"));
        assertTrue(state.contains("\"token\" : null"), "no token left in the state file");
    }

    @Test
    void dryRunShowsTheChoiceAndChangesNothing() throws Exception {
        for (int i = 1; i <= 6; i++) fleet.host(String.format("web-%02d", i), i <= 4 ? "r1" : "r2", i, "web", i);
        CliRun r = metal("provision", "--profile", "web", "--count", "4", "--os", "debian-12", "--dry-run",
                "--max-per-rack", "2");
        assertEquals(0, r.exitCode, r.toString());
        assertTrue(r.out.contains("web-01  r1    rack r1: 1st host of this request there (limit 2)"), r.out);
        assertTrue(r.out.contains("web-05  r2"), r.out);
        assertTrue(r.out.contains("web-06  r2"), r.out);
        assertTrue(r.out.contains("web-02  r1"), r.out);
        assertTrue(r.out.contains("would provision 4 host(s)"), r.out);
        assertTrue(fleet.store.hosts(HostQuery.all()).stream().allMatch(h -> h.state() == HostState.READY));
        assertTrue(fleet.bmcs.arrivals().isEmpty());

        CliRun tooMany = metal("provision", "--profile", "web", "--count", "5", "--os", "debian-12", "--dry-run",
                "--max-per-rack", "2");
        assertEquals(2, tooMany.exitCode, tooMany.toString());
        assertTrue(tooMany.err.contains("profile web: only 4 ready host(s) fit, 5 asked for (at most 2 per rack)"),
                tooMany.err);
    }

    @Test
    void failedHostsAreQuarantinedAndTheSlotRetriesOnAnother() throws Exception {
        fleet.host("web-01", "r1", 1, "web", 1, EnumSet.of(Machine.Fault.INSTALL_FAILS))
                .host("web-02", "r2", 1, "web", 2, EnumSet.of(Machine.Fault.NO_PHONE_HOME))
                .host("web-03", "r3", 1, "web", 3, EnumSet.noneOf(Machine.Fault.class), DirectBmcs.Fault.POWER_FAILS)
                .host("web-04", "r1", 2, "web", 4).host("web-05", "r2", 2, "web", 5).host("web-06", "r3", 2, "web", 6);

        CliRun r = metal("provision", "--profile", "web", "--count", "3", "--os", "debian-12", "--timeout", "5s",
                "--max-quarantine", "3", "--json");
        assertEquals(0, r.exitCode, r.toString());
        JsonNode report = Json.mapper().readTree(r.out);
        Set<String> active = new HashSet<>();
        for (JsonNode slot : report.get("slots")) {
            assertEquals("active", slot.get("status").asText(), slot.toString());
            assertEquals(2, slot.get("attempts").size(), slot.toString());
            assertEquals("quarantined", slot.get("attempts").get(0).get("result").asText());
            active.add(slot.get("hostname").asText());
        }
        assertEquals(Set.of("web-04", "web-05", "web-06"), active);
        // Each reason names the step: both fetched their preseed, so the installer ran and never phoned home.
        assertEquals("booted the installer (it fetched its preseed) but never phoned home within 5s",
                fleet.get("web-01").stateReason());
        assertEquals("booted the installer (it fetched its preseed) but never phoned home within 5s",
                fleet.get("web-02").stateReason());
        assertTrue(fleet.get("web-03").stateReason().startsWith("BMC: web-03: BMC refused power on"),
                fleet.get("web-03").stateReason());
        for (String q : List.of("web-01", "web-02", "web-03")) {
            assertEquals(HostState.QUARANTINED, fleet.get(q).state());
            assertNull(fleet.get(q).provisioning().token());
        }
        List<JournalEntry> failed = fleet.store.journal(JournalQuery.all()).stream().filter(e -> e.event().equals("provision-failed")).toList();
        assertEquals(3, failed.size());
    }

    @Test
    void retriesAreBoundedAndTheReportSaysWhatHappened() throws Exception {
        fleet.host("web-01", "r1", 1, "web", 1, EnumSet.of(Machine.Fault.INSTALL_FAILS))
                .host("web-02", "r1", 2, "web", 2, EnumSet.of(Machine.Fault.INSTALL_FAILS))
                .host("web-03", "r1", 3, "web", 3, EnumSet.of(Machine.Fault.INSTALL_FAILS))
                .host("web-04", "r1", 4, "web", 4);
        CliRun r = metal("provision", "--profile", "web", "--count", "1", "--os", "debian-12", "--timeout", "3s",
                "--retries", "1");
        assertEquals(1, r.exitCode, r.toString());
        // The table cuts long notes to fit 120 columns; the host keeps the whole reason.
        assertTrue(r.out.contains("web-01 quarantined: booted the installer (it fetched its preseed) but never"), r.out);
        assertTrue(fleet.get("web-01").stateReason().contains("booted the installer (it fetched its preseed) but never"
                + " phoned home within 3s"), fleet.get("web-01").stateReason());
        assertTrue(r.out.contains("web-02 quarantined: booted the installer"), r.out);
        assertTrue(r.out.contains("0 active, 1 failed"), r.out);
        assertEquals(HostState.READY, fleet.get("web-03").state(), "the bound stops at 1 retry");

        // Explicit hosts, one good, one bad with nothing left to retry on: partial.
        CliRun partial = metal("provision", "web-03", "web-04", "--os", "debian-12", "--timeout", "3s");
        assertEquals(3, partial.exitCode, partial.toString());
        assertTrue(partial.out.contains("no ready host of web left"), partial.out);
        assertEquals(HostState.ACTIVE, fleet.get("web-04").state());
    }

    @Test
    void oneRunQuarantinesAtMostMaxQuarantineHosts() throws Exception {
        // Installs that fail on the machine (not a systemic cause): without a bound, every retry burns a host.
        for (int i = 1; i <= 5; i++) {
            fleet.host("web-0" + i, "r1", i, "web", i, EnumSet.of(Machine.Fault.INSTALL_FAILS));
        }
        CliRun r = metal("provision", "--profile", "web", "--count", "1", "--os", "debian-12", "--timeout", "3s",
                "--retries", "4", "--json");
        assertEquals(1, r.exitCode, r.toString());
        JsonNode attempts = Json.mapper().readTree(r.out).get("slots").get(0).get("attempts");
        List<String> results = new ArrayList<>();
        for (JsonNode a : attempts) results.add(a.get("result").asText());
        assertEquals(List.of("quarantined", "quarantined", "released", "no retry"), results, attempts.toString());
        assertTrue(attempts.get(3).get("reason").asText().contains("2 host(s) quarantined, the most one run may"),
                attempts.toString());
        long quarantined = fleet.store.hosts(HostQuery.all()).stream()
                .filter(h -> h.state() == HostState.QUARANTINED).count();
        assertEquals(2, quarantined, "the default bound for a pool of 5: 2");
        // Quarantined and released hosts were powered off.
        assertTrue(fleet.bmcs.arrivals().stream().filter(a -> a.host().equals("web-01"))
                .anyMatch(a -> a.command().equals("power off")), fleet.bmcs.arrivals().toString());

        for (int i = 1; i <= 2; i++) ok(fleet.metal("host", "release", "web-0" + i, "--reason", "again"));
        CliRun more = metal("provision", "--profile", "web", "--count", "1", "--os", "debian-12", "--timeout", "3s",
                "--retries", "4", "--max-quarantine", "3", "--keep-power", "--json");
        assertEquals(1, more.exitCode, more.toString());
        assertEquals(3, fleet.store.hosts(HostQuery.all()).stream()
                .filter(h -> h.state() == HostState.QUARANTINED).count());
    }

    @Test
    void twoConcurrentProvisionsNeverShareAHost() throws Exception {
        for (int i = 1; i <= 8; i++) fleet.host(String.format("web-%02d", i), "r" + (i % 3), i, "web", i);
        // One boot server outlives both runs (an in-process one would stop with the run that started it).
        dev.metal.boot.BootServer shared = new dev.metal.boot.BootServer(new StoreBootBackend(fleet.store), new TestBootContent(),
                fleet.files, null, 8, Log.stderr()).start(new java.net.InetSocketAddress("127.0.0.1", fleet.server.getPort()));
        List<CliRun> runs = new ArrayList<>(List.of());
        Runnable provision = () -> {
            CliRun r = fleet.metal("provision", "--profile", "web", "--count", "4", "--os", "debian-12",
                    "--timeout", "20s", "--json", "--server", fleet.server.toString());
            synchronized (runs) {
                runs.add(r);
            }
        };
        Thread other = new Thread(provision);
        other.start();
        provision.run();
        other.join();
        shared.close();
        Set<String> all = new HashSet<>();
        int total = 0;
        for (CliRun r : runs) {
            assertEquals(0, r.exitCode, r.toString());
            for (JsonNode slot : Json.mapper().readTree(r.out).get("slots")) {
                for (JsonNode a : slot.get("attempts")) {
                    all.add(a.get("hostname").asText());
                    total++;
                }
            }
        }
        assertEquals(8, total);
        assertEquals(8, all.size(), "no host was taken twice: " + all);
        assertTrue(fleet.store.hosts(HostQuery.all()).stream().allMatch(h -> h.state() == HostState.ACTIVE));
    }

    @Test
    void resumeFinishesAHostThatPhonedHomeWithoutBootingItAgain() throws Exception {
        fleet.host("web-01", "r1", 1, "web", 1).host("web-02", "r1", 2, "web", 2);
        // As a run killed between the phone-home and the boot-to-disk leaves it.
        fleet.store.update(tx -> {
            Host h = tx.host("web-01");
            tx.put(h.moveTo(HostState.PROVISIONING, "provision p-dead", tx.now()).withProvisioning(
                    new dev.metal.model.Provisioning("p-dead", "debian-12", dev.metal.model.Secret.of("t"), tx.now(),
                            tx.now(), 1, null)), "provision-claimed");
            return null;
        });
        CliRun r = metal("provision", "--resume", "--timeout", "5s");
        assertEquals(0, r.exitCode, r.toString());
        assertTrue(r.out.contains("1 active, 0 failed"), r.out);
        assertEquals(HostState.ACTIVE, fleet.get("web-01").state());
        assertNull(fleet.get("web-01").provisioning().token());
        assertEquals(List.of("boot disk"), fleet.bmcs.arrivals().stream().map(DirectBmcs.Arrival::command).toList());
        assertEquals(HostState.READY, fleet.get("web-02").state());
        CliRun again = metal("provision", "--resume");
        assertTrue(again.out.contains("nothing to resume"), again.out);
        assertEquals(2, metal("provision", "--resume", "web-02").exitCode);
    }

    private static void ok(CliRun run) {
        assertEquals(0, run.exitCode, run.toString());
    }
}

package dev.metal.provision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.metal.boot.BootServer;
import dev.metal.cli.CliRun;
import dev.metal.model.Host;
import dev.metal.model.HostState;
import dev.metal.state.HostQuery;
import dev.metal.state.JournalQuery;
import dev.metal.util.Json;
import dev.metal.util.Log;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Separate metal processes on one state: they never share a host, and a killed one is
 * resumed. On SQLite here; {@link ProvisionProcessPostgresTest} runs the same on PostgreSQL.
 */
class ProvisionProcessTest {
    @TempDir
    Path dir;
    Fleet fleet;
    BootServer bootServer;

    /** Where this class keeps the state. */
    String location() throws Exception {
        return dir.resolve("state.json").toString();
    }

    @BeforeEach
    void fleet() throws Exception {
        fleet = new Fleet(dir, Fleet.freePort(), location());
        serve();
    }

    /**
     * A provision process relying on the boot server this test runs where the fleet's site plan
     * sends machines: one server for every process, as a site runs 'metal serve'.
     */
    private Process run(String fault, String name, String... metalArgs) throws Exception {
        String[] args = new String[metalArgs.length + 2];
        System.arraycopy(metalArgs, 0, args, 0, metalArgs.length);
        System.arraycopy(new String[] {"--server", fleet.server.toString()}, 0, args, metalArgs.length, 2);
        return ProvisionProcess.start(fleet.location, fleet.port, fault, dir.resolve(name), args);
    }

    void serve() {
        bootServer = fleet.services().startBootServer(fleet.store, fleet.files,
                new InetSocketAddress("127.0.0.1", fleet.port), null, BootServer.Limits.DEFAULT, Log.stderr(), hostname -> {});
    }

    @AfterEach
    void stopServing() {
        bootServer.close();
    }

    @Test
    void twoProcessesNeverTakeTheSameHost() throws Exception {
        for (int i = 1; i <= 8; i++) fleet.host(String.format("web-%02d", i), "r" + (i % 2), i, "web", i);
        String[] provision = {"--state", fleet.location, "--json", "provision", "--profile", "web",
            "--count", "4", "--os", "debian-12", "--timeout", "30s"};
        Process a = run("none", "a.out", provision);
        Process b = run("none", "b.out", provision);
        assertTrue(a.waitFor(60, TimeUnit.SECONDS) && b.waitFor(60, TimeUnit.SECONDS), "provision processes hang");
        Set<String> hosts = new HashSet<>();
        int n = 0;
        for (String name : List.of("a.out", "b.out")) {
            String out = Files.readString(dir.resolve(name));
            assertTrue(out.contains("\"slots\""), name + ": " + out + Files.readString(dir.resolve(name + ".err")));
            for (JsonNode slot : Json.mapper().readTree(out).get("slots")) {
                assertEquals("active", slot.get("status").asText(), slot.toString());
                hosts.add(slot.get("hostname").asText());
                n++;
            }
        }
        assertEquals(0, a.exitValue());
        assertEquals(0, b.exitValue());
        assertEquals(8, n);
        assertEquals(8, hosts.size(), "a host was taken twice: " + hosts);
    }

    @Test
    void aKilledProvisionIsResumedAndALiveOneIsLeftAlone() throws Exception {
        fleet.host("web-01", "r1", 1, "web", 1).host("web-02", "r2", 1, "web", 2).host("web-03", "r1", 2, "web", 3);
        // Its machines never phone home, so it waits until it is killed.
        Process p = run("no-phone-home", "p.out", "--state", fleet.location, "provision",
                "--profile", "web", "--count", "2", "--os", "debian-12", "--timeout", "5m");
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (fleet.store.journal(JournalQuery.all()).stream().noneMatch(e -> e.event().equals("provision-claimed"))) {
                assertTrue(System.nanoTime() < deadline, "the provision process never claimed hosts: "
                        + Files.readString(dir.resolve("p.out.err")));
                Thread.sleep(100);
            }
            // While it lives, --resume does not touch its hosts.
            CliRun early = fleet.metal("provision", "--resume", "--timeout", "20s", "--server", fleet.server.toString());
            assertEquals(0, early.exitCode, early.toString());
            assertTrue(early.out.contains("nothing to provision"), early.out);
            // Nor can a host of a live run be released.
            CliRun release = fleet.metal("host", "release", "web-01", "--reason", "too early");
            assertEquals(2, release.exitCode, release.toString());
            assertTrue(release.err.contains("provisioning in a run that is still going"), release.err);
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        List<String> left = fleet.store.hosts(HostQuery.all()).stream()
                .filter(h -> h.state() == HostState.PROVISIONING).map(Host::hostname).toList();
        assertEquals(List.of("web-01", "web-02"), left);

        CliRun resumed = fleet.metal("provision", "--resume", "--timeout", "20s", "--server", fleet.server.toString());
        assertEquals(0, resumed.exitCode, resumed.toString());
        assertTrue(resumed.out.contains("2 active, 0 failed"), resumed.out);
        assertEquals(HostState.ACTIVE, fleet.get("web-01").state());
        assertEquals(HostState.ACTIVE, fleet.get("web-02").state());
        assertEquals(HostState.READY, fleet.get("web-03").state());
        assertEquals(2, fleet.store.journal(JournalQuery.all()).stream().filter(e -> e.event().equals("provision-resumed")).count());
    }

    @Test
    void eightProvisionersAndOneBootServerTakeEightDistinctHosts() throws Exception {
        for (int i = 1; i <= 8; i++) fleet.host(String.format("web-%02d", i), "r" + (i % 2), i, "web", i);
        // 'metal serve' takes the place of this class's boot server, where the site plan sends machines.
        bootServer.close();
        int port = fleet.port;
        Process serve = ProvisionProcess.start(fleet.location, port, "none", dir.resolve("serve.out"),
                "--state", fleet.location, "serve", "--listen", "127.0.0.1:" + port, "--files", fleet.files.toString(),
                "--for", "3m");
        List<Process> provisioners = new java.util.ArrayList<>();
        try {
            waitForPort(port, dir.resolve("serve.out.err"));
            for (int i = 0; i < 8; i++) {
                provisioners.add(ProvisionProcess.start(fleet.location, port, "none", dir.resolve("p" + i + ".out"),
                        "--state", fleet.location, "--json", "provision", "--profile", "web", "--count", "1",
                        "--os", "debian-12", "--timeout", "60s", "--server", "http://127.0.0.1:" + port));
            }
            Set<String> hosts = new HashSet<>();
            for (int i = 0; i < 8; i++) {
                Process p = provisioners.get(i);
                assertTrue(p.waitFor(150, TimeUnit.SECONDS), "provisioner " + i + " hangs");
                String out = Files.readString(dir.resolve("p" + i + ".out"));
                assertEquals(0, p.exitValue(), out + Files.readString(dir.resolve("p" + i + ".out.err")));
                for (JsonNode slot : Json.mapper().readTree(out).get("slots")) {
                    assertEquals("active", slot.get("status").asText(), slot.toString());
                    assertTrue(hosts.add(slot.get("hostname").asText()), "taken twice: " + slot);
                }
            }
            assertEquals(8, hosts.size());
            assertEquals(8, fleet.store.hosts(HostQuery.all().inStates(HostState.ACTIVE)).size());
        } finally {
            for (Process p : provisioners) p.destroyForcibly();
            serve.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    static void waitForPort(int port, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                return;
            } catch (java.io.IOException notYet) {
                assertTrue(System.nanoTime() < deadline, "the boot server never listened: " + Files.readString(log));
                Thread.sleep(100);
            }
        }
    }

    @Test
    void killedAtRandomMomentsTheStateStaysConsistentAndResumeFinishes() throws Exception {
        for (int i = 1; i <= 6; i++) fleet.host(String.format("web-%02d", i), "r" + (i % 2), i, "web", i);
        java.util.Random random = new java.util.Random(16);
        for (int round = 0; round < 3; round++) {
            Process p = run("none", "k" + round + ".out", "--state", fleet.location, "provision",
                    "--profile", "web", "--count", "2", "--os", "debian-12", "--timeout", "60s");
            Thread.sleep(300 + random.nextInt(2500));
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            assertConsistent();
        }
        CliRun resumed = fleet.metal("provision", "--resume", "--timeout", "30s", "--server", fleet.server.toString());
        assertTrue(resumed.exitCode == 0, resumed.toString());
        assertConsistent();
        assertEquals(List.of(), fleet.store.hosts(HostQuery.all().inStates(HostState.PROVISIONING)), "all resumed");
    }

    /** Every host is whole, and a host provisioning belongs to a request that claimed it. */
    void assertConsistent() {
        for (Host h : fleet.store.hosts(HostQuery.all().withInventories())) {
            assertTrue(h.match() != null && h.bmc() != null, h.toString());
            if (h.state() == HostState.PROVISIONING || h.state() == HostState.ACTIVE) {
                assertTrue(h.provisioning() != null && h.provisioning().requestId() != null, h.toString());
                assertTrue(fleet.store.journal(JournalQuery.forHost(h.hostname()).ofEvents("provision-claimed")).size() > 0,
                        h.hostname() + " is " + h.state() + " without a claim in the journal");
            }
        }
    }

    @Test
    void sigtermLeavesTheHostsForReleaseRemovesTheLockAndNamesResume() throws Exception {
        fleet.host("web-01", "r1", 1, "web", 1).host("web-02", "r2", 1, "web", 2);
        Process p = run("no-phone-home", "t.out", "--state", fleet.location, "provision",
                "--profile", "web", "--count", "2", "--os", "debian-12", "--timeout", "5m");
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (fleet.store.journal(JournalQuery.all()).stream().filter(e -> e.event().equals("boot-config")).count() < 2) {
                assertTrue(System.nanoTime() < deadline && p.isAlive(), "the machines never booted: "
                        + Files.readString(dir.resolve("t.out.err")));
                Thread.sleep(100);
            }
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "metal exits on SIGTERM");
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        assertEquals(143, p.exitValue());
        String err = Files.readString(dir.resolve("t.out.err"));
        assertTrue(err.contains("interrupted: 2 host(s) left provisioning (web-01, web-02); continue with"
                + " 'metal provision --resume'"), err);
        try (var files = Files.list(dir)) {
            assertEquals(List.of(), files.map(f -> f.getFileName().toString()).filter(f -> f.contains(".provision-"))
                    .toList(), "no request lock file is left");
        }
        for (String h : List.of("web-01", "web-02")) {
            assertEquals(HostState.PROVISIONING, fleet.get(h).state());
            CliRun release = fleet.metal("host", "release", h, "--reason", "interrupted");
            assertEquals(0, release.exitCode, release.toString());
            assertEquals(HostState.READY, fleet.get(h).state());
            assertEquals(null, fleet.get(h).provisioning().token(), "its boot token stopped working");
        }
    }
}

package dev.metal.provision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.metal.cli.CliRun;
import dev.metal.model.Host;
import dev.metal.model.HostState;
import dev.metal.state.HostQuery;
import dev.metal.state.JournalQuery;
import dev.metal.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Separate metal processes on one state file: they never share a host, and a killed one is resumed. */
class ProvisionProcessTest {
    @TempDir
    Path dir;
    Fleet fleet;

    @BeforeEach
    void fleet() throws Exception {
        fleet = new Fleet(dir);
    }

    private Process run(int port, String fault, String name, String... metalArgs) throws Exception {
        String[] args = new String[metalArgs.length + 4];
        System.arraycopy(metalArgs, 0, args, 0, metalArgs.length);
        System.arraycopy(new String[] {"--listen", "127.0.0.1:" + port, "--files", fleet.files.toString()}, 0,
                args, metalArgs.length, 4);
        return ProvisionProcess.start(fleet.state, port, fault, dir.resolve(name), args);
    }

    @Test
    void twoProcessesNeverTakeTheSameHost() throws Exception {
        for (int i = 1; i <= 8; i++) fleet.host(String.format("web-%02d", i), "r" + (i % 2), i, "web", i);
        String[] provision = {"--state", fleet.state.toString(), "--json", "provision", "--profile", "web",
            "--count", "4", "--os", "debian-12", "--timeout", "30s"};
        Process a = run(Fleet.freePort(), "none", "a.out", provision);
        Process b = run(Fleet.freePort(), "none", "b.out", provision);
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
        Process p = run(Fleet.freePort(), "no-phone-home", "p.out", "--state", fleet.state.toString(), "provision",
                "--profile", "web", "--count", "2", "--os", "debian-12", "--timeout", "5m");
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (fleet.store.journal(JournalQuery.all()).stream().noneMatch(e -> e.event().equals("provision-claimed"))) {
                assertTrue(System.nanoTime() < deadline, "the provision process never claimed hosts: "
                        + Files.readString(dir.resolve("p.out.err")));
                Thread.sleep(100);
            }
            // While it lives, --resume does not touch its hosts.
            CliRun early = fleet.metal(fleet.args("provision", "--resume", "--timeout", "20s"));
            assertEquals(0, early.exitCode, early.toString());
            assertTrue(early.out.contains("nothing to provision"), early.out);
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        List<String> left = fleet.store.hosts(HostQuery.all()).stream()
                .filter(h -> h.state() == HostState.PROVISIONING).map(Host::hostname).toList();
        assertEquals(List.of("web-01", "web-02"), left);

        CliRun resumed = fleet.metal(fleet.args("provision", "--resume", "--timeout", "20s"));
        assertEquals(0, resumed.exitCode, resumed.toString());
        assertTrue(resumed.out.contains("2 active, 0 failed"), resumed.out);
        assertEquals(HostState.ACTIVE, fleet.get("web-01").state());
        assertEquals(HostState.ACTIVE, fleet.get("web-02").state());
        assertEquals(HostState.READY, fleet.get("web-03").state());
        assertEquals(2, fleet.store.journal(JournalQuery.all()).stream().filter(e -> e.event().equals("provision-resumed")).count());
    }
}

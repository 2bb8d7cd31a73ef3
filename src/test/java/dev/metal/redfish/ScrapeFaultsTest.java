package dev.metal.redfish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metal.cli.CliRun;
import dev.metal.lab.EmulatorFaults;
import dev.metal.lab.Fleet;
import dev.metal.lab.RedfishEmulator;
import dev.metal.lab.SelfSigned;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** BMCs that misbehave: each gives a clear per-host error, the rest of the fleet completes, sessions end. */
class ScrapeFaultsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static String line(String out, String host) {
        return out.lines().filter(l -> l.startsWith(host + " ")).findFirst().orElse("(no line for " + host + ")");
    }

    @Test
    void oneBadBmcDoesNotStopTheFleet() throws Exception {
        Path mockup = Fleet.mockup("dmtf-public-rackmount1");
        List<RedfishEmulator> fleet = new ArrayList<>();
        try {
            for (int i = 0; i < 7; i++) fleet.add(RedfishEmulator.serve(mockup));
            String memory = "/redfish/v1/Systems/437XR1138R2/Memory";
            EmulatorFaults.on(fleet.get(1)).failPath(memory, 500);
            EmulatorFaults.on(fleet.get(2)).hangPath(memory);
            fleet.get(3).maxSessions(0);
            EmulatorFaults.on(fleet.get(4)).malformedPath(memory);
            EmulatorFaults.on(fleet.get(5)).redirectLoop(memory);
            EmulatorFaults.on(fleet.get(6)).failPath("/redfish/v1/Systems/437XR1138R2", 500);
            // $expand would read Memory inside Systems; the faults are on the resources themselves.
            for (RedfishEmulator e : fleet) e.put("/redfish/v1", withoutExpand(e.resource("/redfish/v1")));
            Map<String, String> hosts = new LinkedHashMap<>();
            for (int i = 0; i < fleet.size(); i++) hosts.put("h" + i, fleet.get(i).address());
            Path state = dir.resolve("state.json");
            assertEquals(0, CliRun.metal(state, "import", Fleet.rackCsv(dir, hosts).toString()).exitCode);

            CliRun run = CliRun.metal(state, "scrape", "--all", "--timeout", "1", "--retries", "1");
            assertEquals(3, run.exitCode, run.toString());
            assertTrue(line(run.out, "h0").contains("ok"), run.out);
            assertTrue(line(run.out, "h1").contains("failed: /redfish/v1/Systems/437XR1138R2/Memory answered HTTP 500"),
                    run.out);
            assertTrue(line(run.out, "h2").contains("timed out"), run.out);
            assertTrue(line(run.out, "h3").contains("no free session (503"), run.out);
            assertTrue(line(run.out, "h4").contains("malformed JSON"), run.out);
            assertTrue(line(run.out, "h5").contains("redirects in a loop"), run.out);
            assertTrue(line(run.out, "h6").contains("answered HTTP 500"), run.out);
            // Retries with backoff: the failing resource was asked twice (once + one retry).
            for (int i = 0; i < fleet.size(); i++) {
                assertEquals(0, fleet.get(i).openSessions(), "h" + i + " session left open");
            }
            assertEquals(0, fleet.get(3).sessionsCreated());
            CliRun list = CliRun.metal(state, "--json", "host", "list");
            JsonNode hostsJson = JSON.readTree(list.out).get("hosts");
            for (JsonNode h : hostsJson) {
                // A failed scrape changes no state: it is journaled, and the next scrape tries again.
                String expect = h.path("hostname").asText().equals("h0") ? "inventoried" : "imported";
                assertEquals(expect, h.path("state").asText(), h.toString());
            }
            CliRun history = CliRun.metal(state, "host", "history", "h1");
            assertTrue(history.out.contains("scrape-failed"), history.out);
        } finally {
            fleet.forEach(RedfishEmulator::close);
        }
    }

    private static com.fasterxml.jackson.databind.node.ObjectNode withoutExpand(
            com.fasterxml.jackson.databind.node.ObjectNode root) {
        ((com.fasterxml.jackson.databind.node.ObjectNode) root.path("ProtocolFeaturesSupported")).remove("ExpandQuery");
        return root;
    }

    @Test
    void wrongPasswordIsAClearError() throws Exception {
        try (RedfishEmulator emu = RedfishEmulator.builder().mockup(Fleet.mockup("dmtf-public-localstorage"))
                .credentials("admin", "other").build()) {
            Path state = dir.resolve("state.json");
            CliRun.metal(state, "import", Fleet.rackCsv(dir, Fleet.one("h1", emu)).toString());
            CliRun run = CliRun.metal(state, "scrape", "h1");
            assertEquals(1, run.exitCode, run.toString());
            assertTrue(run.out.contains("failed: BMC refused the login (401)"), run.out);
            assertFalse(run.out.contains("password,") || run.err.contains("other"), "no secret in output");
        }
    }

    @Test
    void basicAuthWhenTheBmcHasNoSessions() throws Exception {
        try (RedfishEmulator emu = RedfishEmulator.serve(Fleet.mockup("dmtf-public-localstorage"))) {
            EmulatorFaults.on(emu).failPath("/redfish/v1/SessionService/Sessions", 404);
            Path state = dir.resolve("state.json");
            CliRun.metal(state, "import", Fleet.rackCsv(dir, Fleet.one("h1", emu)).toString());
            CliRun run = CliRun.metal(state, "scrape", "h1");
            assertEquals(0, run.exitCode, run.toString());
            assertEquals(0, emu.sessionsCreated());
        }
    }

    @Test
    void perBmcConcurrencyIsBounded() throws Exception {
        try (RedfishEmulator emu = RedfishEmulator.builder().mockup(Fleet.mockup("lenovo-sr650-xcc")).latencyMs(15)
                .build()) {
            Path state = dir.resolve("state.json");
            CliRun.metal(state, "import", Fleet.rackCsv(dir, Fleet.one("h1", emu)).toString());
            CliRun run = CliRun.metal(state, "scrape", "h1", "--stats");
            assertEquals(0, run.exitCode, run.toString());
            assertEquals(2, emu.maxConcurrentSeen(), "default: 2 requests in flight, and it does use both");
            emu.resetCounters();
            run = CliRun.metal(state, "scrape", "h1", "--bmc-concurrency", "4");
            assertEquals(0, run.exitCode, run.toString());
            assertEquals(4, emu.maxConcurrentSeen());
        }
    }

    @Test
    void certificateIsPinnedAndAChangeIsRefused() throws Exception {
        SelfSigned first = SelfSigned.generate("bmc-a");
        SelfSigned second = SelfSigned.generate("bmc-b");
        assertNotEquals(first.fingerprint(), second.fingerprint());
        Path state = dir.resolve("state.json");
        int port;
        try (RedfishEmulator emu = RedfishEmulator.builder().mockup(Fleet.mockup("dmtf-public-localstorage"))
                .tls(first.context()).build()) {
            port = emu.baseUri().getPort();
            assertTrue(emu.address().startsWith("https://"));
            CliRun.metal(state, "import", Fleet.rackCsv(dir, Fleet.one("h1", emu)).toString());
            CliRun run = CliRun.metal(state, "scrape", "h1");
            assertEquals(0, run.exitCode, run.toString());
            assertTrue(dev.metal.testing.TestState.export(state).contains(first.fingerprint()), "pinned on first contact");
        }
        try (RedfishEmulator emu = RedfishEmulator.builder().mockup(Fleet.mockup("dmtf-public-localstorage"))
                .tls(second.context()).port(port).build()) {
            CliRun run = CliRun.metal(state, "scrape", "h1");
            assertEquals(1, run.exitCode, run.toString());
            assertTrue(run.out.contains("failed: BMC certificate changed: pinned " + first.fingerprint() + ", now "
                    + second.fingerprint()), run.out);
            assertEquals(0, emu.sessionsCreated(), "nothing was sent to a BMC that failed the pin");
            assertTrue(dev.metal.testing.TestState.export(state).contains(first.fingerprint()), "the pin is kept");

            assertEquals(0, CliRun.metal(state, "scrape", "h1", "--insecure").exitCode);
            assertTrue(dev.metal.testing.TestState.export(state).contains(first.fingerprint()), "--insecure does not re-pin");
            CliRun repin = CliRun.metal(state, "scrape", "h1", "--repin");
            assertEquals(0, repin.exitCode, repin.toString());
            assertTrue(dev.metal.testing.TestState.export(state).contains(second.fingerprint()));
            assertEquals(0, emu.openSessions());
        }
    }
}

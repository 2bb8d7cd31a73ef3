package dev.metal.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.metal.cli.CliRun;
import dev.metal.lab.Fleet;
import dev.metal.lab.RedfishEmulator;
import dev.metal.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * For every shared capture: scrape it over Redfish, suggest a profile from the host,
 * save it, load it again with 'metal match': the host matches and is ready. Then the
 * same BMC with one DIMM pulled fails the match with that difference named.
 */
class MockupProfileTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"dmtf-public-rackmount1", "dmtf-public-localstorage", "dmtf-public-bladed",
        "dmtf-public-smartnic", "dmtf-public-tower", "gigabyte-ami", "hpe-dl360-ilo", "lenovo-sr650-xcc"})
    void aProfileSuggestedFromTheCaptureMatchesItsHost(String mockup) throws Exception {
        try (RedfishEmulator bmc = RedfishEmulator.serve(Fleet.mockup(mockup))) {
            Path state = dir.resolve("state.json");
            Path profiles = Files.createDirectories(dir.resolve("profiles"));
            assertOk(CliRun.metal(state, "import", Fleet.rackCsv(dir, Fleet.one("h1", bmc)).toString()));
            assertOk(CliRun.metal(state, "scrape", "h1"));
            Path file = profiles.resolve(mockup + ".yaml");
            assertOk(CliRun.metal(state, "profile", "suggest", "h1", "-o", file.toString()));
            assertTrue(Files.readString(file).contains("name:"), Files.readString(file));
            assertOk(CliRun.metal(state, "profile", "check", file.toString()));

            CliRun match = CliRun.metal(state, "match", "h1", "--profiles", profiles.toString());
            assertOk(match);
            JsonNode host = Json.mapper().readTree(CliRun.metal(state, "--json", "host", "show", "h1").out);
            assertEquals("ready", host.get("state").asText(), host.toString());
            String profile = host.get("match").get("profile").asText();

            String pulled = pullOneDimm(bmc);
            if (mockup.equals("dmtf-public-bladed")) return; // its blades report no DIMM sizes: nothing to pull
            assertTrue(pulled != null, "a populated DIMM to pull");
            assertOk(CliRun.metal(state, "scrape", "h1"));
            CliRun again = CliRun.metal(state, "match", "h1", "--profiles", profiles.toString());
            assertEquals(1, again.exitCode, again.toString());
            host = Json.mapper().readTree(CliRun.metal(state, "--json", "host", "show", "h1").out);
            assertEquals("failed", host.get("state").asText(), host.toString());
            String reason = host.get("stateReason").asText();
            assertTrue(reason.contains("nearest " + profile) && reason.contains("empty"), reason);
        }
    }

    /** Marks the first populated DIMM of the first system absent, as a BMC shows a pulled module. */
    private static String pullOneDimm(RedfishEmulator bmc) {
        JsonNode systems = bmc.resource("/redfish/v1/Systems");
        String system = systems.path("Members").path(0).path("@odata.id").asText();
        String memory = bmc.resource(system).path("Memory").path("@odata.id").asText(null);
        if (memory == null || bmc.resource(memory) == null) return null;
        for (JsonNode member : bmc.resource(memory).path("Members")) {
            String uri = member.path("@odata.id").asText();
            ObjectNode dimm = bmc.resource(uri);
            if (dimm == null) continue;
            String state = dimm.path("Status").path("State").asText("Enabled");
            boolean populated = !state.equals("Absent") && dimm.path("CapacityMiB").asLong(0) > 0;
            if (!populated) continue;
            ObjectNode absent = dimm.deepCopy();
            absent.remove("CapacityMiB");
            absent.putObject("Status").put("State", "Absent");
            bmc.put(uri, absent);
            return uri;
        }
        return null;
    }

    private static void assertOk(CliRun run) {
        assertEquals(0, run.exitCode, run.toString());
    }
}

package dev.metal.bmc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.metal.cli.CliRun;
import dev.metal.lab.Fleet;
import dev.metal.lab.RedfishEmulator;
import dev.metal.lab.SelfSigned;
import dev.metal.util.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * metal power and metal boot over Redfish, against an emulated BMC that keeps power and
 * the boot override, allows only some reset types and insists on If-Match.
 */
class RedfishPowerTest {
    static final String SYSTEM = "/redfish/v1/Systems/437XR1138R2";

    @TempDir
    Path dir;
    RedfishEmulator bmc;
    Path state;
    final List<String> resets = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        bmc = RedfishEmulator.builder().mockup(Fleet.mockup("dmtf-public-rackmount1")).requireIfMatch(true).build();
        bmc.addListener(new RedfishEmulator.Listener() {
            @Override
            public void onReset(String systemUri, String resetType, String powerState) {
                synchronized (resets) {
                    resets.add(resetType);
                }
            }
        });
        state = dir.resolve("state.json");
        CliRun imported = CliRun.metal(state, "import", Fleet.rackCsv(dir, Map.of("rf1", bmc.address())).toString());
        assertEquals(0, imported.exitCode, imported.toString());
    }

    @AfterEach
    void stop() {
        bmc.close();
    }

    private String power() {
        return bmc.resource(SYSTEM).path("PowerState").asText();
    }

    private JsonNode result(CliRun run) throws Exception {
        assertEquals(0, run.exitCode, run.toString());
        return Json.mapper().readTree(run.out).get("hosts").get(0);
    }

    @Test
    void powerActionsUseAnAllowedResetTypeAndAreReadBack() throws Exception {
        assertEquals("On", power());
        JsonNode status = result(CliRun.metal(state, "power", "status", "rf1", "--via", "redfish", "--json"));
        assertEquals("REDFISH", status.get("protocol").asText().toUpperCase());
        assertEquals("ON", status.get("power").asText().toUpperCase());

        result(CliRun.metal(state, "power", "off", "rf1", "--via", "redfish", "--json"));
        assertEquals("Off", power());
        // Off, a cycle powers the server on; this BMC offers no PowerCycle, so metal picks another it allows.
        JsonNode cycle = result(CliRun.metal(state, "power", "cycle", "rf1", "--via", "redfish", "--json"));
        assertEquals("On", power(), cycle.toString());
        result(CliRun.metal(state, "power", "reset", "rf1", "--via", "redfish", "--json"));
        synchronized (resets) {
            assertEquals(List.of("ForceOff", "On", "ForceRestart"), resets);
        }
        assertEquals(0, bmc.openSessions(), "every session was deleted");
    }

    @Test
    void bootOverrideIsPatchedWithIfMatchAndReadBack() throws Exception {
        result(CliRun.metal(state, "boot", "disk", "rf1", "--via", "redfish", "--persistent", "--uefi", "--json"));
        JsonNode boot = bmc.resource(SYSTEM).get("Boot");
        assertEquals("Hdd", boot.get("BootSourceOverrideTarget").asText());
        assertEquals("Continuous", boot.get("BootSourceOverrideEnabled").asText());
        assertEquals("UEFI", boot.get("BootSourceOverrideMode").asText());

        result(CliRun.metal(state, "boot", "pxe", "rf1", "--via", "redfish", "--json"));
        boot = bmc.resource(SYSTEM).get("Boot");
        assertEquals("Pxe", boot.get("BootSourceOverrideTarget").asText());
        assertEquals("Once", boot.get("BootSourceOverrideEnabled").asText());
        assertEquals("Legacy", boot.get("BootSourceOverrideMode").asText());
        assertEquals(0, bmc.openSessions());
    }

    @Test
    void autoActsOverRedfishWhenTheBmcHasIt() throws Exception {
        JsonNode off = result(CliRun.metal(state, "power", "off", "rf1", "--json"));
        assertEquals("REDFISH", off.get("protocol").asText().toUpperCase());
        assertEquals("Off", power());
        assertEquals("OFF", result(CliRun.metal(state, "power", "status", "--all", "--json")).get("power").asText()
                .toUpperCase(), "--all names every host");
        assertEquals("OFF", result(CliRun.metal(state, "power", "status", "--rack", "r1", "--json")).get("power")
                .asText().toUpperCase());
        CliRun none = CliRun.metal(state, "power", "status");
        assertEquals(2, none.exitCode, none.toString());
        assertTrue(none.err.contains("name the hosts, or give --all or --rack R"), none.err);
    }

    @Test
    void theFirstPowerCommandPinsTheCertificateAndAChangedOneIsRefused() throws Exception {
        bmc.close();
        SelfSigned first = SelfSigned.generate("bmc-first");
        SelfSigned other = SelfSigned.generate("bmc-other");
        bmc = RedfishEmulator.builder().mockup(Fleet.mockup("dmtf-public-rackmount1")).tls(first.context()).build();
        int port = bmc.baseUri().getPort();
        Path tls = dir.resolve("tls.json");
        assertEquals(0, CliRun.metal(tls, "import", Fleet.rackCsv(dir, Map.of("rf1", bmc.address())).toString()).exitCode);
        result(CliRun.metal(tls, "power", "status", "rf1", "--via", "redfish", "--json"));
        JsonNode host = Json.mapper().readTree(CliRun.metal(tls, "--json", "host", "show", "rf1").out);
        assertEquals(first.fingerprint(), host.get("bmc").get("tlsFingerprint").asText(), "pinned on first contact");

        bmc.close();
        bmc = RedfishEmulator.builder().mockup(Fleet.mockup("dmtf-public-rackmount1")).tls(other.context()).port(port)
                .build();
        CliRun changed = CliRun.metal(tls, "power", "off", "rf1", "--via", "redfish");
        assertEquals(1, changed.exitCode, changed.toString());
        assertTrue(changed.out.contains("certificate changed"), changed.toString());
        assertEquals("On", power(), "nothing was sent to a BMC with another certificate");
    }

    @Test
    void aBmcThatRefusesTheLoginIsAClearPerHostError() throws Exception {
        bmc.close();
        bmc = RedfishEmulator.builder().mockup(Fleet.mockup("dmtf-public-rackmount1")).credentials("admin", "other")
                .build();
        CliRun run = CliRun.metal(state, "import", "--update",
                Fleet.rackCsv(dir, Map.of("rf1", bmc.address())).toString());
        assertEquals(0, run.exitCode, run.toString());
        CliRun off = CliRun.metal(state, "power", "off", "rf1", "--via", "redfish");
        assertEquals(1, off.exitCode, off.toString());
        assertTrue(off.out.contains("failed  -      BMC refused the login (401)"), off.toString());
        assertEquals("On", power());
    }
}

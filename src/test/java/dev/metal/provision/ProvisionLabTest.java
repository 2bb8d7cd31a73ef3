package dev.metal.provision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.metal.cli.CliRun;
import dev.metal.lab.IpmiSimProcess;
import dev.metal.lab.Lab;
import dev.metal.lab.LabState;
import dev.metal.lab.Machine;
import dev.metal.testing.Tools;
import dev.metal.util.Json;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path against the lab, as a user runs it: import, discover, scrape, match,
 * site set, then provision, with the power and boot commands going to the lab's BMCs over
 * Redfish, or over IPMI to ipmi_sim. A server whose install fails is quarantined and the
 * provision lands on another server of the same profile.
 */
class ProvisionLabTest {
    @TempDir
    Path dir;

    /** Lab servers 1 and 3 are storage servers, 2 and 4 compute; server 2's install fails. */
    private Lab startLab(boolean ipmi, int bootPort) throws IOException {
        if (ipmi) Tools.require("ipmi_sim", "openipmi");
        Lab.Options options = new Lab.Options(4, 2, 0, List.of(Lab.Fault.parse("2:install-fails")), dir.resolve("lab"),
                ipmi, URI.create("http://127.0.0.1:" + bootPort), freePort(),
                ipmi ? IpmiSimProcess.freeUdpPort() : Lab.DEFAULT_IPMI_PORT, Duration.ofMillis(200));
        Lab lab = Lab.start(options);
        lab.awaitReady(Duration.ofSeconds(30));
        return lab;
    }

    private Path prepare(Lab lab) throws IOException {
        Path state = dir.resolve("state.json");
        Path labDir = dir.resolve("lab");
        LabState.ready(state, lab, labDir);
        return state;
    }

    private JsonNode provision(Path state, int bootPort, String via) throws IOException {
        CliRun run = CliRun.metal(state, "provision", "lab-r1-n02", "--os", "debian-12", "--via", via,
                "--listen", "127.0.0.1:" + bootPort, "--files", dir.resolve("lab/files").toString(),
                "--timeout", "4s", "--no-ssh-keys", "--json");
        ok(run);
        return Json.mapper().readTree(run.out).get("slots").get(0);
    }

    private static List<String> attempts(JsonNode slot) {
        List<String> out = new ArrayList<>();
        for (JsonNode a : slot.get("attempts")) out.add(a.get("hostname").asText() + " " + a.get("result").asText());
        return out;
    }

    @Test
    void overRedfishAFailedInstallIsQuarantinedAndAnotherServerGoesActive() throws Exception {
        int bootPort = freePort();
        try (Lab lab = startLab(false, bootPort)) {
            Path state = prepare(lab);
            JsonNode slot = provision(state, bootPort, "redfish");
            assertEquals(List.of("lab-r1-n02 quarantined", "lab-r2-n02 active"), attempts(slot), slot.toString());

            Lab.Server good = lab.server("lab-r2-n02");
            assertEquals(Machine.Status.INSTALLED, good.machine.status(), "the server installed and phoned home");
            assertEquals("On", good.redfishPowerState());
            JsonNode boot = good.bmc.resource("/redfish/v1/Systems/1").get("Boot");
            assertEquals("Hdd", boot.get("BootSourceOverrideTarget").asText(), "it boots its disk from now on");
            assertEquals("Continuous", boot.get("BootSourceOverrideEnabled").asText());
            assertTrue(good.machine.fetched().stream().anyMatch(u -> u.contains("/config/lab-r2-n02/preseed.cfg")),
                    "the machine fetched its preseed: " + good.machine.fetched());

            JsonNode hosts = Json.mapper().readTree(CliRun.metal(state, "--json", "host", "list").out).get("hosts");
            for (JsonNode h : hosts) {
                String expected = switch (h.get("hostname").asText()) {
                    case "lab-r1-n02" -> "quarantined";
                    case "lab-r2-n02" -> "active";
                    default -> "ready";
                };
                assertEquals(expected, h.get("state").asText(), h.toString());
            }
        }
    }

    @Test
    void overIpmiTheBmcCommandsReachIpmiSimAndTheServerGoesActive() throws Exception {
        int bootPort = freePort();
        try (Lab lab = startLab(true, bootPort)) {
            Path state = prepare(lab);
            JsonNode slot = provision(state, bootPort, "ipmi");
            assertEquals(List.of("lab-r1-n02 quarantined", "lab-r2-n02 active"), attempts(slot), slot.toString());

            Lab.Server good = lab.server("lab-r2-n02");
            assertTrue(good.ipmi().powerOn(), "ipmi_sim has the server powered on");
            // ipmitool, reading the same simulated BMC, sees the boot device metal left: the disk.
            String password = Files.readString(dir.resolve("lab/bmc-password")).strip();
            Path ipmitool = Tools.require("ipmitool", "ipmitool");
            Process p = new ProcessBuilder(ipmitool.toString(), "-I", "lanplus", "-H", good.ip, "-p",
                    Integer.toString(good.ipmi().port()), "-U", Lab.USER, "-P", password, "-C", "3",
                    "chassis", "bootparam", "get", "5").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), out);
            assertTrue(out.contains("Force Boot from default Hard-Drive"), out);
            List<String> log = good.ipmi().chassisLog();
            assertTrue(log.stream().anyMatch(l -> l.contains("boot pxe")), "PXE was set over IPMI: " + log);
        }
    }

    private static void ok(CliRun run) {
        assertEquals(0, run.exitCode, run.toString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

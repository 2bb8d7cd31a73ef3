package dev.metal.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.metal.cli.CliRun;
import dev.metal.ipmi.IpmiSim;
import dev.metal.lab.Fleet;
import dev.metal.lab.IpmiSimProcess;
import dev.metal.lab.Lab;
import dev.metal.lab.LabState;
import dev.metal.lab.Machine;
import dev.metal.lab.RedfishEmulator;
import dev.metal.lab.SelfSigned;
import dev.metal.util.Json;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A BMC whose certificate changed since it was pinned may not be ours: nothing reaches
 * that host over any protocol until it is pinned again, and the command fails naming it.
 * Each BMC here speaks Redfish over TLS and IPMI on the same address.
 */
class CertificatePinTest {
    @TempDir
    Path dir;

    @Test
    void powerDoesNotFallBackToIpmiAfterTheCertificateChanged() throws Exception {
        SelfSigned first = SelfSigned.generate("bmc-first");
        SelfSigned other = SelfSigned.generate("bmc-other");
        try (IpmiSim ipmi = IpmiSim.start(dir.resolve("ipmi"))) {
            ipmi.process().setPower(false);
            RedfishEmulator redfish = emulator(first, 0);
            int port = redfish.baseUri().getPort();
            Path state = dir.resolve("state.json");
            Path csv = dir.resolve("rack.csv");
            Files.writeString(csv, "hostname,rack,u,bmc_mac,bmc_address,bmc_user,bmc_password,ipmi_port,mgmt_mac\n"
                    + "h1,r1,1,0c:c4:7a:00:00:01," + redfish.address() + "," + IpmiSim.USER + "," + IpmiSim.PASSWORD
                    + "," + ipmi.port() + ",0c:c4:7a:01:00:01\n");
            ok(CliRun.metal(state, "import", csv.toString()));
            ok(CliRun.metal(state, "power", "status", "h1", "--via", "redfish"));
            redfish.close();

            redfish = emulator(other, port);
            try {
                int calls = ipmi.process().chassisLog().size();
                CliRun on = CliRun.metal(state, "power", "on", "h1", "--json");
                assertEquals(1, on.exitCode, on.toString());
                JsonNode outcome = Json.mapper().readTree(on.out).get("hosts").get(0);
                assertEquals("failed", outcome.get("result").asText(), on.out);
                assertEquals("redfish", outcome.get("protocol").asText(), on.out);
                assertTrue(outcome.get("error").asText().startsWith("BMC certificate changed: pinned "
                        + first.fingerprint() + ", now " + other.fingerprint()), on.out);
                assertTrue(on.err.contains("h1: BMC certificate changed"), "said on stderr too, without -v: " + on.err);
                assertEquals(calls, ipmi.process().chassisLog().size(), "nothing went to the BMC over IPMI");
                assertEquals("off", ipmi.ipmitoolPower());
                assertEquals("On", redfish.resource("/redfish/v1/Systems/437XR1138R2").path("PowerState").asText());
            } finally {
                redfish.close();
            }
        }
    }

    @Test
    void provisionQuarantinesTheHostInsteadOfBootingItOverIpmi() throws Exception {
        int bootPort = freePort();
        Lab.Options options = new Lab.Options(2, 1, 0, List.of(), dir.resolve("lab"), true,
                URI.create("http://127.0.0.1:" + bootPort), freePort(), IpmiSimProcess.freeUdpPort(), Duration.ofMillis(200));
        Path state = dir.resolve("state.json");
        Path labDir = dir.resolve("lab");
        try (Lab lab = Lab.start(options)) {
            lab.awaitReady(Duration.ofSeconds(30));
            LabState.ready(state, lab, labDir);
        }
        // The same servers on the same addresses and ports, but every BMC shows a new certificate.
        try (Lab lab = Lab.start(options)) {
            lab.awaitReady(Duration.ofSeconds(30));
            CliRun run = CliRun.metal(state, "provision", "lab-r1-n02", "--os", "debian-12", "--listen",
                    "127.0.0.1:" + bootPort, "--files", labDir.resolve("files").toString(), "--timeout", "5s",
                    "--no-ssh-keys", "--json");
            assertEquals(1, run.exitCode, run.toString());
            JsonNode attempt = Json.mapper().readTree(run.out).get("slots").get(0).get("attempts").get(0);
            assertEquals("lab-r1-n02", attempt.get("hostname").asText(), run.out);
            assertEquals("quarantined", attempt.get("result").asText(), run.out);
            assertTrue(attempt.get("reason").asText().contains("lab-r1-n02: BMC certificate changed"), run.out);

            Lab.Server server = lab.server("lab-r1-n02");
            assertFalse(server.ipmi().powerOn(), "IPMI did not power the server on");
            assertFalse(server.ipmi().chassisLog().stream().anyMatch(l -> l.contains(" set ")),
                    "nothing was set over IPMI: " + server.ipmi().chassisLog());
            assertEquals(Machine.Status.OFF, server.machine.status());
            JsonNode host = Json.mapper().readTree(CliRun.metal(state, "--json", "host", "show", "lab-r1-n02").out);
            assertEquals("quarantined", host.get("state").asText());
        }
    }

    private static RedfishEmulator emulator(SelfSigned cert, int port) {
        return RedfishEmulator.builder().mockup(Fleet.mockup("dmtf-public-rackmount1"))
                .credentials(IpmiSim.USER, IpmiSim.PASSWORD).tls(cert.context()).port(port).build();
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

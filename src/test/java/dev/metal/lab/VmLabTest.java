package dev.metal.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.metal.bmc.PowerState;
import dev.metal.cli.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real machines: lab servers that are qemu VMs with Debian's iPXE ROM, whose DHCP hands out
 * the boot server's script URL, booted into metal's agent, which reports its stages and
 * phones home. One lab for the class; each VM boots once.
 */
class VmLabTest {
    @TempDir
    static Path dir;
    static VmFixture vms;

    @BeforeAll
    static void start() throws Exception {
        vms = new VmFixture(dir, 5, true, false, false);
    }

    @AfterAll
    static void stop() {
        if (vms != null) vms.close();
    }

    private static void assertActive(String host, JsonNode slot) throws Exception {
        assertEquals("active", slot.get("status").asText(), slot + vms.console(host));
        JsonNode h = vms.host(host);
        assertEquals("active", h.get("state").asText(), h.toString());
        String console = Files.readString(vms.lab.server(host).vm.console());
        assertTrue(console.contains("metal-agent") && console.contains("phoned home"), vms.console(host));
        // The agent found the disk the lab's inventory reports, by qemu's model and the serial.
        assertTrue(console.contains("model=" + LabHardware.QEMU_NVME_MODEL + " serial="
                + LabHardware.driveSerial(vms.lab.server(host).model, vms.lab.server(host).number, 0)), vms.console(host));
        CliRun history = CliRun.metal(vms.state, "--json", "host", "history", host);
        for (String stage : List.of("\"script\"", "\"booted\"", "\"working\"", "\"done\"")) {
            assertTrue(history.out.contains(stage), stage + " not in the journal: " + history.out);
        }
    }

    @Test
    void overIpmiIpmiSimPowersTheVmAndItBootsTheAgentToActive() throws Exception {
        JsonNode slot = vms.provision("lab-r1-n01", "agent", "ipmi", "150s");
        assertActive("lab-r1-n01", slot);
        Lab.Server s = vms.lab.server("lab-r1-n01");
        assertTrue(s.ipmi().chassisLog().stream().anyMatch(l -> l.contains("boot pxe")), s.ipmi().chassisLog().toString());
        assertEquals(PowerState.ON, s.vm.powerState());
        assertEquals(1, s.vm.starts(), "one power-on, one boot");
    }

    @Test
    void overRedfishTheVmBootsTheAgentToActive() throws Exception {
        JsonNode slot = vms.provision("lab-r1-n02", "agent", "redfish", "150s");
        assertActive("lab-r1-n02", slot);
        JsonNode boot = vms.lab.server("lab-r1-n02").bmc.resource("/redfish/v1/Systems/1").get("Boot");
        assertEquals("Hdd", boot.get("BootSourceOverrideTarget").asText(), "it boots its disk from now on");
    }

    @Test
    void aHostQuarantinedMidBootStopsItsProvisioningAndTheAgentIsRefused() throws Exception {
        String host = "lab-r1-n03";
        // A 'metal serve' of its own: it keeps serving after the provisioning has ended.
        Thread serve = new Thread(() -> CliRun.metal(vms.state, "serve", "--listen", "127.0.0.1:" + vms.bootPort,
                "--files", dir.resolve("lab/files").toString(), "--for", "300s"), "test-serve");
        serve.start();
        CompletableFuture<JsonNode> run = CompletableFuture.supplyAsync(() -> {
            try {
                awaitPort(vms.bootPort);
                return vms.provision(host, "agent", "redfish", "150s", "http://127.0.0.1:" + vms.bootPort);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        // Quarantined as soon as its iPXE script is out: the agent boots into a provisioning that has ended.
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!"script".equals(vms.host(host).path("provisioning").path("stage").asText())) {
            assertTrue(System.nanoTime() < deadline, "no script fetched" + vms.console(host));
            Thread.sleep(200);
        }
        VmFixture.ok(CliRun.metal(vms.state, "host", "quarantine", host, "--reason", "pulled for a test"));
        JsonNode slot = run.get();
        assertEquals("failed", slot.get("status").asText(), slot.toString());
        assertTrue(slot.get("attempts").get(0).get("reason").asText().contains("left provisioning"), slot.toString());
        // The agent still comes up and reports; the boot server refuses it, and says so on the console.
        deadline = System.nanoTime() + 90_000_000_000L;
        while (!Files.readString(vms.lab.server(host).vm.console()).contains("refused the report")) {
            assertTrue(System.nanoTime() < deadline, "the agent's report was not refused" + vms.console(host));
            Thread.sleep(500);
        }
        CliRun history = CliRun.metal(vms.state, "--json", "host", "history", host);
        assertTrue(history.out.contains("no provisioning in progress"), history.out);
        assertEquals("quarantined", vms.host(host).get("state").asText());
        vms.lab.server(host).vm.powerOff();
        serve.interrupt();
        serve.join(10_000);
    }

    @Test
    void aVmWhoseScriptIsRefusedIsQuarantinedWithThatStepNamed() throws Exception {
        String host = "lab-r1-n05";
        CompletableFuture<JsonNode> run = CompletableFuture.supplyAsync(() -> {
            try {
                return vms.provision(host, "agent", "redfish", "45s");
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        // Someone at another address takes the attempt's script while the VM's firmware starts; the VM is refused.
        long deadline = System.nanoTime() + 60_000_000_000L;
        dev.metal.model.Host h = dev.metal.testing.TestState.hosts(vms.state).get(host);
        while (h.provisioning() == null || h.provisioning().token() == null) {
            assertTrue(System.nanoTime() < deadline && !run.isDone(), "never claimed: " + (run.isDone() ? run.get() : ""));
            Thread.sleep(50);
            h = dev.metal.testing.TestState.hosts(vms.state).get(host);
        }
        String taken = fetchFrom("127.0.0.2", vms.bootPort, "/ipxe/" + h.mgmtMac());
        assertTrue(taken.contains("metal.token="), "the first asker got the attempt's script: " + taken);
        JsonNode slot = run.get();
        assertEquals("failed", slot.get("status").asText(), slot + vms.console(host));
        String reason = slot.get("attempts").get(0).get("reason").asText();
        assertTrue(reason.contains("script refused: the boot script of this attempt went to 127.0.0.2 first, then "
                + "127.0.0.1 asked for it"), reason + vms.console(host));
        JsonNode shown = vms.host(host);
        assertEquals("quarantined", shown.get("state").asText());
        assertTrue(shown.get("stateReason").asText().contains("script refused"), shown.toString());
        // The VM did ask, and got the script of a host that is not provisioning: no agent ever started.
        assertTrue(!Files.readString(vms.lab.server(host).vm.console()).contains("metal-agent"), vms.console(host));
    }

    /** An HTTP GET sent from a local address of the test's choosing, as by another machine. */
    private static String fetchFrom(String local, int port, String path) throws java.io.IOException {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port, java.net.InetAddress.getByName(local), 0)) {
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private static void awaitPort(int port) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                return;
            } catch (java.io.IOException e) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("metal serve did not listen on " + port);
    }

    @Test
    void anOsNotInTheCatalogIsRefusedBeforeTheVmIsTouched() throws Exception {
        String host = "lab-r1-n04";
        CliRun run = CliRun.metal(vms.state, "provision", host, "--os", "nosuch", "--via", "redfish", "--no-ssh-keys",
                "--listen", "127.0.0.1:" + vms.bootPort, "--files", vms.dir.resolve("lab/files").toString());
        assertEquals(2, run.exitCode, run.toString());
        assertTrue(run.err.contains("unknown OS 'nosuch'"), run.err);
        assertEquals("ready", vms.host(host).get("state").asText(), "nothing was claimed");
    }
}

package dev.metal.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.metal.cli.CliRun;
import dev.metal.cli.JsonSchemaTest;
import dev.metal.model.SystemicException;
import dev.metal.testing.Tools;
import dev.metal.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 'metal demo --vm': the demo with lab server 1 a real qemu VM that boots through iPXE into
 * metal's agent beside the simulated fleet, and the demo reports its boot. One VM, one boot.
 */
class DemoVmTest {
    @TempDir
    Path tmp;

    @Test
    void theVmBootsTheAgentBesideTheSimulatedFleetAndTheDemoShowsItsBoot() throws Exception {
        Tools.require("qemu-system-x86_64", "qemu-system-x86");
        Tools.require("kexec", "kexec-tools");
        if (!Files.exists(QemuVm.IPXE_ROM)) throw new AssertionError(QemuVm.IPXE_ROM + " missing: install ipxe-qemu");
        Tools.deb("linux-image-*-cloud-amd64");
        Tools.deb("busybox-static");
        Path dir = tmp.resolve("demo");
        CliRun run = CliRun.metal(Map.of(), "demo", "--vm", "--dir", dir.toString(), "--hosts", "4", "--json");
        Path console = dir.resolve("lab/vm-1/console.log");
        String consoleText = Files.exists(console) ? Files.readString(console) : "(no console)";
        assertEquals(0, run.exitCode, run + "\n--- console ---\n" + consoleText);
        assertEquals(List.of(), JsonSchemaTest.problems("demo", run.out), run.out);

        JsonNode vm = Json.mapper().readTree(run.out).get("vm");
        assertEquals("lab-r1-n01", vm.get("hostname").asText(), vm.toString());
        assertEquals(console.toString(), vm.get("console").asText());
        JsonNode stages = vm.get("stagesMs");
        for (String stage : List.of("script", "booted", "done", "phonedHome")) {
            assertTrue(stages.has(stage), stage + " missing: " + vm);
        }
        assertTrue(stages.get("script").asLong() < stages.get("booted").asLong()
                && stages.get("booted").asLong() <= stages.get("phonedHome").asLong(), vm.toString());

        // The walk-through (on stderr with --json): the VM's own provision with the agent, and its boot.
        Path state = dir.resolve("state.json");
        assertTrue(run.err.contains("$ metal --state " + state + " provision lab-r1-n01 --os agent"), run.err);
        assertTrue(run.err.contains("How the VM booted: lab-r1-n01"), run.err);
        assertTrue(run.err.contains("phoned home") && run.err.contains("console: " + console), run.err);
        // The simulated fleet went as in the plain demo: the install that fails, the DIMM that is missing.
        assertTrue(run.err.contains("lab-r1-n02 quarantined"), run.err);
        assertTrue(run.err.contains("DIMM slot D2 empty"), run.err);

        assertTrue(consoleText.contains("metal-agent") && consoleText.contains("phoned home"), consoleText);
        JsonNode host = Json.mapper().readTree(CliRun.metal(state, "--json", "host", "show", "lab-r1-n01").out);
        assertEquals("active", host.get("state").asText(), host.toString());
        JsonNode hosts = Json.mapper().readTree(CliRun.metal(state, "--json", "host", "list", "--in", "active").out);
        // With 4 hosts the demo provisions one compute host (after the one whose install fails) and the VM.
        assertEquals(2, hosts.get("hosts").size(), "the VM and one simulated compute host: " + hosts);
        assertFalse(Files.exists(dir.resolve("lab/lab.pid")), "the lab, and its VM, are stopped");
    }

    @Test
    void withoutTheDebFilesItFailsBeforeStartingAndSaysWhatToFetch() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("no-debs"));
        SystemicException e = assertThrows(SystemicException.class, () -> Demo.checkVm(empty));
        assertTrue(e.getMessage().contains("no linux-image-*-cloud-amd64 .deb in " + empty), e.getMessage());
        assertTrue(e.getMessage().contains("apt-get download busybox-static"), e.getMessage());
        assertTrue(e.getMessage().contains("without --vm"), e.getMessage());
    }
}

package dev.metal.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lab VM under UEFI (OVMF): iPXE's EFI driver fetches the same rendered script, whose
 * initrd=initrd lets the kernel find the initrd iPXE loaded, and the agent phones home.
 */
class VmUefiTest {
    @TempDir
    Path dir;

    @Test
    void underUefiTheVmBootsTheAgentToActive() throws Exception {
        try (VmFixture vms = new VmFixture(dir, 1, false, true, false)) {
            String host = "lab-r1-n01";
            JsonNode slot = vms.provision(host, "agent", "redfish", "240s");
            assertEquals("active", slot.get("status").asText(), slot + vms.console(host));
            String console = Files.readString(vms.lab.server(host).vm.console());
            assertTrue(console.contains("iPXE") && console.contains("phoned home"), vms.console(host));
            assertTrue(console.contains("initrd=initrd"), "the kernel command line names the initrd" + vms.console(host));
        }
    }
}

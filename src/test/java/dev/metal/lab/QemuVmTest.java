package dev.metal.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metal.bmc.BootDevice;
import dev.metal.model.BadInputException;
import dev.metal.util.Log;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a lab VM is started, and the lab options for VMs, without starting one. */
class QemuVmTest {
    @TempDir
    Path dir;

    QemuVm vm(String bootServer, boolean uefi) {
        return new QemuVm("lab-r1-n01", "02:6d:10:00:01:00", dir.resolve("vm-1"), URI.create(bootServer), uefi,
                "S6000000100", Log.stderr());
    }

    @Test
    void theVmsDhcpHandsOutItsScriptAtTheBootServerAsTheGuestReachesIt() {
        assertEquals("http://10.0.2.2:8067/ipxe?mac=02:6d:10:00:01:00", vm("http://127.0.0.1:8067", false).bootFileUrl());
        assertEquals("http://192.0.2.10:9000/ipxe?mac=02:6d:10:00:01:00", vm("http://192.0.2.10:9000/", false).bootFileUrl());
    }

    @Test
    void theBootDeviceComesFirstInTheBootOrder() {
        String pxe = String.join(" ", vm("http://127.0.0.1:8067", false).command(BootDevice.PXE));
        assertTrue(pxe.contains("virtio-net-pci,netdev=net0,mac=02:6d:10:00:01:00,bootindex=1"), pxe);
        assertTrue(pxe.contains("nvme,drive=disk0,serial=S6000000100,bootindex=2"), pxe);
        assertTrue(pxe.contains("-accel tcg") && !pxe.contains("-bios"), pxe);
        String disk = String.join(" ", vm("http://127.0.0.1:8067", true).command(BootDevice.DISK));
        assertTrue(disk.contains("bootindex=2") && disk.contains("serial=S6000000100,bootindex=1"), disk);
        assertTrue(disk.contains("-bios " + QemuVm.OVMF), disk);
        assertTrue(disk.contains("-serial file:" + dir.resolve("vm-1/console.log")), disk);
    }

    @Test
    void vmOptionsAreChecked() {
        Lab.Options base = new Lab.Options(2, 1, 0, List.of(), dir, false, URI.create("http://127.0.0.1:8067"), 0,
                Lab.DEFAULT_IPMI_PORT, Duration.ofSeconds(1));
        assertEquals(List.of("--vm 3: between 0 and --hosts 2"), base.withVms(3, false, null).problems());
        assertEquals(List.of("--uefi needs --vm N"), base.withVms(0, true, null).problems());
        assertTrue(base.withVms(1, false, dir.resolve("none")).problems().get(0).startsWith("--agent " + dir.resolve("none")
                + ": no vmlinuz and initrd there"));
        try {
            Lab.Options.parse(2, 1, 0, List.of(), dir, false, "http://127.0.0.1:8067", 0, 1623, Duration.ofSeconds(1), 5, false, null);
            throw new AssertionError("accepted --vm 5 of 2 hosts");
        } catch (BadInputException e) {
            assertTrue(e.getMessage().contains("--vm 5"), e.getMessage());
        }
    }
}

package dev.metal.lab;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.metal.cli.CliRun;
import dev.metal.testing.ImageKit;
import dev.metal.util.Json;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Image deploy on real machines: lab VMs provisioned with the lab's OS 'lab-image'. The agent
 * streams it onto the NVMe boot disk, writes the host's files into it and kexecs into it; the
 * installed system phones home. One lab for the class; each VM boots once.
 */
class VmImageTest {
    static final String KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMetalImageDeployTestKeyOnly0000000000000 test@image";

    @TempDir
    static Path dir;
    static VmFixture vms;
    static Path keyFile;

    @BeforeAll
    static void start() throws Exception {
        // A second OS with the same image and a wrong checksum.
        vms = new VmFixture(dir, 3, false, false, null);
        Path site = dir.resolve("lab/site.yaml");
        String text = Files.readString(site);
        String sha = text.replaceAll("(?s).*lab-image:.*?sha256: ([0-9a-f]{64}).*", "$1");
        Files.writeString(site, text + """
                  lab-image-bad:
                    kernel: /files/agent/vmlinuz
                    initrd: /files/agent/initrd
                    cmdline: console=ttyS0,115200n8 no_timer_check
                    image: lab-image.raw.xz
                    sha256: %s
                """.formatted(new StringBuilder(sha).reverse()));
        VmFixture.ok(CliRun.metal(vms.state, "site", "set", site.toString()));
        keyFile = dir.resolve("key.pub");
        Files.writeString(keyFile, KEY + "\n");
    }

    @AfterAll
    static void stop() {
        if (vms != null) vms.close();
    }

    private static JsonNode provision(String host, String os) throws Exception {
        CliRun run = CliRun.metal(vms.state, "provision", host, "--os", os, "--via", "redfish", "--retries", "0",
                "--timeout", "240s", "--ssh-key", keyFile.toString(), "--json",
                "--listen", "127.0.0.1:" + vms.bootPort, "--files", dir.resolve("lab/files").toString());
        assertTrue(run.exitCode <= 1 || run.exitCode == 3, run + vms.console(host));
        JsonNode slots = run.out.isBlank() ? null : Json.mapper().readTree(run.out).get("slots");
        assertTrue(slots != null && slots.size() == 1, run + vms.console(host));
        return slots.get(0);
    }

    @Test
    void theImageIsDeployedWithTheHostsConfigAndTheOtherDiskIsUntouched() throws Exception {
        String host = "lab-r1-n01";
        QemuVm vm = vms.lab.server(host).vm;
        Files.createDirectories(vm.dir());
        byte[] data = new byte[4 << 20];
        new Random(15).nextBytes(data);
        try (RandomAccessFile f = new RandomAccessFile(vm.dataDisk().toFile(), "rw")) {
            f.write(data);
        }
        JsonNode slot = provision(host, "lab-image");
        assertEquals("active", slot.get("status").asText(), slot + vms.console(host));
        String console = Files.readString(vm.console());
        assertTrue(console.contains("sha256 verified") && console.contains("kexec into the installed system"), console);
        assertTrue(console.contains("lab image: " + host + " up") && console.contains("lab image: phoned home"), console);
        vm.powerOff();

        Path disk = vm.disk();
        int root = dev.metal.agent.ImageBuilder.ROOT_PARTITION;
        assertEquals(host + "\n", ImageKit.read(disk, root, "/etc/hostname"));
        assertEquals(KEY + "\n", ImageKit.read(disk, root, "/root/.ssh/authorized_keys"));
        CliRun networkd = CliRun.metal(vms.state, "render", "networkd", host, "--out", dir.resolve("networkd").toString());
        assertEquals(0, networkd.exitCode, networkd.toString());
        try (var files = Files.list(dir.resolve("networkd"))) {
            List<Path> rendered = files.filter(p -> !p.getFileName().toString().startsWith(".")).toList();
            assertTrue(rendered.size() >= 2, rendered.toString());
            for (Path f : rendered) {
                assertEquals(Files.readString(f), ImageKit.read(disk, root, "/etc/systemd/network/" + f.getFileName()),
                        f.getFileName().toString());
            }
        }
        assertTrue(ImageKit.read(disk, root, "/var/lib/cloud/seed/nocloud/meta-data").contains("local-hostname: " + host));
        byte[] after = new byte[data.length];
        try (RandomAccessFile f = new RandomAccessFile(vm.dataDisk().toFile(), "r")) {
            f.readFully(after);
            assertEquals(data.length, f.length());
        }
        assertArrayEquals(data, after, "the second disk is byte for byte what it was");
        JsonNode h = vms.host(host);
        assertEquals("active", h.get("state").asText(), h.toString());
    }

    @Test
    void aWrongChecksumQuarantinesTheHostWithThatReason() throws Exception {
        String host = "lab-r1-n02";
        JsonNode slot = provision(host, "lab-image-bad");
        assertEquals("failed", slot.get("status").asText(), slot + vms.console(host));
        String reason = slot.get("attempts").get(0).get("reason").asText();
        assertTrue(reason.contains("image checksum mismatch"), reason + vms.console(host));
        // The BMC keeps the VM's console (HostLogger): its last lines end the reason, the agent's failure among them.
        String console = reason.substring(reason.indexOf("; console: ") + "; console: ".length());
        assertTrue(reason.contains("; console: ") && console.contains("metal-agent") && console.contains("failed: step 50-image"),
                reason + vms.console(host));
        assertTrue(!console.contains("token=") || console.contains("token=***"), reason);
        JsonNode h = vms.host(host);
        assertEquals("quarantined", h.get("state").asText());
        assertTrue(h.get("stateReason").asText().contains("image checksum mismatch"), h.toString());
        vms.lab.server(host).vm.powerOff();
    }
    @Test
    void metalKilledMidDeployThenResumedEndsActive() throws Exception {
        String host = "lab-r1-n03";
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = List.of(java, "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "dev.metal.cli.Main", "--state", vms.state.toString(), "provision", host, "--os", "lab-image",
                "--via", "redfish", "--retries", "0", "--timeout", "240s", "--ssh-key", keyFile.toString(),
                "--listen", "127.0.0.1:" + vms.bootPort, "--files", dir.resolve("lab/files").toString());
        Process metal = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("killed.log").toFile())
                .start();
        try {
            // Killed while the agent streams the image: SIGKILL, no clean-up; the stream breaks off.
            long deadline = System.nanoTime() + 240_000_000_000L;
            while (true) {
                dev.metal.model.Host h = dev.metal.testing.TestState.hosts(vms.state).get(host);
                String stage = h.provisioning() == null ? null : h.provisioning().stage();
                if (stage != null && stage.startsWith("working: streaming image")) break;
                assertTrue(metal.isAlive(), Files.readString(dir.resolve("killed.log")) + vms.console(host));
                assertTrue(System.nanoTime() < deadline, "the agent never got to work" + vms.console(host));
                Thread.sleep(100);
            }
        } finally {
            metal.destroyForcibly();
            metal.waitFor();
        }
        assertEquals("provisioning", vms.host(host).get("state").asText());
        CliRun resume = CliRun.metal(vms.state, "provision", "--resume", "--via", "redfish", "--timeout", "240s", "--json",
                "--listen", "127.0.0.1:" + vms.bootPort, "--files", dir.resolve("lab/files").toString());
        assertEquals(0, resume.exitCode, resume + vms.console(host));
        JsonNode slot = Json.mapper().readTree(resume.out).get("slots").get(0);
        assertEquals("active", slot.get("status").asText(), slot + vms.console(host));
        vms.lab.server(host).vm.powerOff();
        assertEquals(host + "\n", ImageKit.read(vms.lab.server(host).vm.disk(), dev.metal.agent.ImageBuilder.ROOT_PARTITION,
                "/etc/hostname"));
    }
}

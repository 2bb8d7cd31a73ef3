package dev.metal.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metal.cli.CliRun;
import dev.metal.testing.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deploy description the agent sources for an image OS: the image and the boot disk, and
 * the injection that writes the host's files into the installed root, run here by a shell
 * into a folder and compared with what 'metal render' gives for the host.
 */
class DeployRenderTest {
    static final String SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    @TempDir
    Path dir;
    Path state;

    @BeforeEach
    void setUp() throws IOException {
        state = dir.resolve("state.json");
        RenderFixture.seed(state, RenderFixture.host("r01", 1));
        Path site = dir.resolve("site.yaml");
        Files.writeString(site, Files.readString(RenderFixture.sampleSite()).replace("\nos:\n", """

                os:
                  lab-image:
                    kernel: /files/agent/vmlinuz
                    initrd: /files/agent/initrd
                    cmdline: console=ttyS0
                    image: images/lab.raw.xz
                    sha256: %s
                """.formatted(SHA)));
        Files.createDirectories(dir.resolve("files/images"));
        Files.write(dir.resolve("files/images/lab.raw.xz"), new byte[] {1});
        CliRun set = CliRun.metal(state, "site", "set", site.toString());
        assertEquals(0, set.exitCode, set.toString());
    }

    @Test
    void theDescriptionNamesImageAndDiskAndItsInjectionWritesTheHostsFiles() throws IOException {
        Path out = dir.resolve("out");
        CliRun run = CliRun.metal(state, "render", "deploy", "r01-s01", "--os", "lab-image", "--out", out.toString());
        assertEquals(0, run.exitCode, run.toString());
        Path deploy = out.resolve("deploy");
        String text = Files.readString(deploy);
        assertTrue(text.contains("METAL_IMAGE_URL='http://10.10.0.2:8080/files/images/lab.raw.xz'\n"), text);
        assertTrue(text.contains("METAL_IMAGE_FORMAT='xz'\nMETAL_IMAGE_SHA256='" + SHA + "'\n"), text);
        assertTrue(text.contains("METAL_DISK_NAME='os'\nMETAL_DISK_SERIAL='S665NE0R11'\n"), text);
        assertTrue(text.contains("METAL_DISK_BY_ID='nvme-SAMSUNG_MZ1L2960HCJR-00A07_S665NE0R11'\n"), text);
        assertTrue(text.contains("METAL_ROOT_PARTITION=''\nMETAL_HOSTNAME='r01-s01'\n"), text);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(deploy)), "it carries the token");

        Path root = Files.createDirectories(dir.resolve("root"));
        Tools.Run sh = Tools.run(List.of("/bin/sh", "-c", ". " + deploy + " && metal_inject " + root),
                Duration.ofSeconds(30));
        assertEquals(0, sh.exit(), sh.output());
        assertEquals("r01-s01\n", Files.readString(root.resolve("etc/hostname")));
        assertTrue(Files.readString(root.resolve("etc/hosts")).contains("127.0.1.1 r01-s01.lab1.example.net r01-s01\n"));

        Path networkd = dir.resolve("networkd");
        assertEquals(0, CliRun.metal(state, "render", "networkd", "r01-s01", "--out", networkd.toString()).exitCode);
        List<String> names = List.of("10-ext0.link", "10-ext0.network", "10-ext1.link", "10-ext1.network",
                "10-mgmt0.link", "10-mgmt0.network");
        for (String f : names) {
            assertEquals(Files.readString(networkd.resolve(f)),
                    Files.readString(root.resolve("etc/systemd/network").resolve(f)), f);
        }
        String keys = Files.readString(root.resolve("root/.ssh/authorized_keys"));
        assertTrue(keys.startsWith("ssh-ed25519 "), keys);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("root/.ssh/authorized_keys"))));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("root/.ssh"))));

        Path seed = root.resolve("var/lib/cloud/seed/nocloud");
        String userData = Files.readString(seed.resolve("user-data"));
        assertTrue(userData.startsWith("#cloud-config\n"), userData);
        assertTrue(userData.contains("url: \"http://10.10.0.2:8080/phone-home/r01-s01?token="), userData);
        assertFalse(userData.contains("token=" + dev.metal.model.Secret.MASK), "the seed holds the real token");
        assertEquals("instance-id: r01-s01\nlocal-hostname: r01-s01\n", Files.readString(seed.resolve("meta-data")));
        assertTrue(Files.readString(seed.resolve("network-config")).contains("set-name: ext0"));
        Tools.Run schema = Tools.run(List.of(Tools.require("cloud-init", "cloud-init").toString(), "schema", "--config-file",
                seed.resolve("user-data").toString()), Duration.ofSeconds(60));
        assertEquals(0, schema.exit(), schema.output());
    }

    @Test
    void stdoutMasksTheTokenAndAnInstallerOsHasNoDescription() {
        CliRun masked = CliRun.metal(state, "render", "deploy", "r01-s01", "--os", "lab-image");
        assertEquals(0, masked.exitCode, masked.toString());
        assertTrue(masked.out.contains("phone-home/r01-s01?token=" + dev.metal.model.Secret.MASK + "\""), masked.out);

        CliRun installer = CliRun.metal(state, "render", "deploy", "r01-s01", "--os", "debian-12");
        assertEquals(2, installer.exitCode, installer.toString());
        assertTrue(installer.err.contains("r01-s01: OS debian-12 installs with an installer, not an image"), installer.err);
    }
}

package dev.metal.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metal.testing.ImageKit;
import dev.metal.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lab image, built from Debian packages and read back with sfdisk, debugfs and xz. */
class ImageBuildTest {
    @TempDir
    static Path dir;
    static ImageBuilder.Built built;

    @BeforeAll
    static void build() {
        built = ImageKit.build(dir, "lab-image");
    }

    @Test
    void aGptDiskWithTheRootSecondAndItsXzWithTheSha256() throws Exception {
        Tools.Run dump = Tools.run(List.of("sfdisk", "--dump", built.raw().toString()));
        assertTrue(dump.output().contains("label: gpt"), dump.output());
        assertTrue(dump.output().contains("lab-image.raw2 : start=       10240"), dump.output());
        assertTrue(dump.output().contains("name=\"root\""), dump.output());
        Tools.Run xz = Tools.run(List.of("xz", "-t", built.xz().toString()), Duration.ofSeconds(60));
        assertEquals(0, xz.exit(), xz.output());
        assertEquals(ImageBuilder.sha256(built.xz()), built.sha256());
        assertTrue(built.xzBytes() < built.rawBytes() / 2, built.xzBytes() + " of " + built.rawBytes());
    }

    @Test
    void theRootHoldsKernelInitrdBusyboxAndAnInitThatPhonesHome() {
        Path raw = built.raw();
        String init = ImageKit.read(raw, 2, "/sbin/init");
        assertTrue(init.contains("phone_home") && init.contains("wget"), init);
        assertEquals("lab-image\n", ImageKit.read(raw, 2, "/etc/hostname"));
        assertTrue(ImageKit.read(raw, 2, "/etc/os-release").contains("ID=metal-lab"));
        Tools.Run ls = Tools.run(List.of("debugfs", "-R", "ls -l /boot", raw + "?offset=" + ImageKit.partitionOffset(raw, 2)));
        assertTrue(ls.output().contains("vmlinuz-" + built.kernelVersion()), ls.output());
        assertTrue(ls.output().contains("initrd.img-" + built.kernelVersion()), ls.output());
        assertNull(ImageKit.read(raw, 2, "/etc/systemd/network/10-ext0.network"), "no host's files before a deploy");
    }
}

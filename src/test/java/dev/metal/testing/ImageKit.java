package dev.metal.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.metal.agent.ImageBuilder;
import dev.metal.util.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * OS images for the tests, built from the downloaded Debian packages (never downloaded
 * whole): {@link ImageBuilder}'s lab image, and reading files back out of a disk with
 * debugfs, at the partition's offset as sfdisk gives it.
 */
public final class ImageKit {
    private ImageKit() {}

    /** Builds NAME.raw and NAME.raw.xz in {@code dir}, failing with the package when a tool is missing. */
    public static ImageBuilder.Built build(Path dir, String name) {
        for (String[] tool : List.of(new String[] {"sfdisk", "fdisk"}, new String[] {"mkfs.ext4", "e2fsprogs"},
                new String[] {"xz", "xz-utils"}, new String[] {"dpkg-deb", "dpkg"})) {
            Tools.require(tool[0], tool[1]);
        }
        Tools.deb("linux-image-*-cloud-amd64");
        Tools.deb("busybox-static");
        return ImageBuilder.build(Tools.debs(), dir, name);
    }

    /** The byte offset of a partition of a disk image (1-based), from sfdisk's JSON dump. */
    public static long partitionOffset(Path disk, int partition) {
        Tools.Run dump = Tools.run(List.of(Tools.require("sfdisk", "fdisk").toString(), "--json", disk.toString()));
        assertEquals(0, dump.exit(), dump.output());
        // sfdisk warns first (a deployed image's GPT backup is not at the end of the bigger disk).
        String json = dump.output().substring(Math.max(0, dump.output().indexOf('{')));
        try {
            JsonNode parts = Json.mapper().readTree(json).path("partitiontable").path("partitions");
            long sector = Json.mapper().readTree(json).path("partitiontable").path("sectorsize").asLong(512);
            return parts.get(partition - 1).path("start").asLong() * sector;
        } catch (IOException | NullPointerException e) {
            return fail("no partition " + partition + " in " + disk + ": " + dump.output());
        }
    }

    /** A file of an ext4 partition of a disk image, read with debugfs; null when it is not there. */
    public static String read(Path disk, int partition, String path) {
        Tools.Run r = Tools.run(List.of(Tools.require("debugfs", "e2fsprogs").toString(), "-R", "cat " + path,
                disk + "?offset=" + partitionOffset(disk, partition)), Duration.ofSeconds(60));
        String out = r.output();
        // debugfs names itself on the first line, and says so on stderr when the file is missing.
        if (out.contains("File not found by ext2_lookup")) return null;
        int nl = out.indexOf('\n');
        return out.startsWith("debugfs ") && nl >= 0 ? out.substring(nl + 1) : out;
    }
}

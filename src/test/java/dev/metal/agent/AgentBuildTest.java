package dev.metal.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.metal.cli.CliRun;
import dev.metal.testing.Tools;
import dev.metal.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** 'metal agent build' from the downloaded Debian packages, read back with cpio and file. */
class AgentBuildTest {
    @TempDir
    static Path dir;
    static JsonNode built;
    static String listing;

    @BeforeAll
    static void build() throws Exception {
        Path cpio = Tools.require("cpio", "cpio");
        Tools.deb("linux-image-*-cloud-amd64");
        Tools.deb("busybox-static");
        CliRun run = CliRun.metal(Map.of("METAL_STATE", dir.resolve("state.json").toString()), "--json", "agent", "build",
                "--out", dir.resolve("agent").toString(), "--debs", Tools.debs().toString());
        assertEquals(0, run.exitCode, run.err);
        built = Json.mapper().readTree(run.out);
        List<String> schema = dev.metal.cli.JsonSchemaTest.problems("agent-build", run.out);
        assertEquals(List.of(), schema, "docs/schemas/agent-build.schema.json: " + run.out);
        Tools.Run list = Tools.run(List.of("/bin/sh", "-c", cpio + " -t -v < " + dir.resolve("agent/initrd")),
                Duration.ofSeconds(60));
        assertEquals(0, list.exit(), list.output());
        listing = list.output();
    }

    @Test
    void theKernelIsTheCloudKernelAndTheInitrdIsACpioArchive() throws Exception {
        Path kernel = Path.of(built.get("kernel").asText());
        byte[] head = Files.readAllBytes(kernel);
        // A bzImage: "HdrS" at 0x202.
        assertEquals("HdrS", new String(head, 0x202, 4, java.nio.charset.StandardCharsets.US_ASCII));
        assertTrue(built.get("kernelVersion").asText().endsWith("-cloud-amd64"), built.toString());
        assertEquals(Files.size(dir.resolve("agent/initrd")), built.get("initrdBytes").asLong());
    }

    @Test
    void initAndTheScriptsAreExecutableAndBusyboxIsThere() {
        for (String path : List.of("init", "bin/busybox", "lib/metal/agent.sh", "lib/metal/udhcpc.script",
                "lib/metal/steps/10-disks.sh")) {
            String line = line(path);
            assertTrue(line.startsWith("-rwxr-xr-x") && line.contains(" root "), line);
        }
        assertTrue(line("dev/console").startsWith("crw-------"), line("dev/console"));
        assertTrue(line("bin/sh").startsWith("lrwxrwxrwx") && line("bin/sh").endsWith("-> busybox"), line("bin/sh"));
    }

    @Test
    void theNicAndDiskModulesAreThereWithWhatTheyDependOn() {
        List<String> modules = Json.mapper().convertValue(built.get("modules"), List.class);
        for (String m : List.of("virtio", "virtio_ring", "virtio_pci", "failover", "net_failover", "virtio_net", "virtio_blk")) {
            assertTrue(modules.contains(m), m + " missing from " + modules);
        }
        // Dependencies load first.
        assertTrue(modules.indexOf("virtio_ring") < modules.indexOf("virtio_pci"), modules.toString());
        assertTrue(modules.indexOf("net_failover") < modules.indexOf("virtio_net"), modules.toString());
        String version = built.get("kernelVersion").asText();
        assertTrue(listing.contains("lib/modules/" + version + "/kernel/drivers/net/virtio_net.ko"), listing);
        assertTrue(line("lib/metal/modules").startsWith("-rw-r--r--"), line("lib/metal/modules"));
    }

    @Test
    void aMissingPackageIsNamedWithHowToFetchIt() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("no-debs"));
        CliRun run = CliRun.metal(Map.of("METAL_STATE", dir.resolve("state.json").toString()), "agent", "build",
                "--out", dir.resolve("other").toString(), "--debs", empty.toString());
        assertEquals(2, run.exitCode, run.err);
        assertTrue(run.err.contains("no linux-image-*-cloud-amd64 .deb in " + empty) && run.err.contains("apt-get download"),
                run.err);
    }

    private static String line(String path) {
        for (String l : listing.lines().toList()) {
            if (l.endsWith(" " + path) || l.contains(" " + path + " -> ")) return l;
        }
        throw new AssertionError(path + " is not in the archive:\n" + listing);
    }
}

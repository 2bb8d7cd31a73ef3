package dev.metal.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metal.cli.CliRun;
import dev.metal.lab.Lab;
import dev.metal.testing.TestState;
import dev.metal.testing.Tools;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A preseed rendered from data that took the real route: the lab's Redfish BMCs, then
 * 'metal scrape', 'match', 'site set' and 'render preseed', as a user runs them. The
 * boot disk must reach the installer as its full /dev/disk/by-id path, which is what the
 * hand-built fixtures of the other render tests already hold.
 */
class LabPreseedTest {
    @TempDir
    Path dir;

    @Test
    void aScrapedHostsPreseedNamesItsBootDiskByTheFullByIdPath() throws IOException {
        Path labDir = dir.resolve("lab");
        // Server 1 is the lab's storage model (Intel NVMe boot disk), server 2 its compute model (Samsung NVMe).
        Lab.Options options = new Lab.Options(2, 1, 0, List.of(), labDir, false, URI.create("http://127.0.0.1:9"),
                freePort(), Lab.DEFAULT_IPMI_PORT, Duration.ofMillis(200));
        Path state = dir.resolve("state.json");
        try (Lab lab = Lab.start(options)) {
            lab.awaitReady(Duration.ofSeconds(30));
            ok(CliRun.metal(state, "import", lab.rackCsv().toString()));
            ok(CliRun.metal(state, "discover", "--leases", lab.leases().toString(),
                    "--port", Integer.toString(options.bmcPort())));
            ok(CliRun.metal(state, "scrape", "--all"));
        }
        ok(CliRun.metal(state, "match", "--all", "--profiles", labDir.resolve("profiles").toString()));
        ok(CliRun.metal(state, "site", "set", labDir.resolve("site.yaml").toString()));

        for (String host : List.of("lab-r1-n01", "lab-r1-n02")) {
            // What the scrape stored: the name under /dev/disk/by-id, as the inventory contract says.
            String byIdName = TestState.hosts(state).get(host).inventory().systems().get(0).drives().get(0).byIdPath();
            assertTrue(byIdName.matches("nvme-[A-Za-z0-9_.-]+_S6\\d+"), byIdName);

            Path out = dir.resolve("out").resolve(host);
            ok(CliRun.metal(state, "render", "preseed", host, "--out", out.toString()));
            Path preseed = out.resolve("preseed.cfg");
            String text = Files.readString(preseed);
            String path = "/dev/disk/by-id/" + byIdName;
            assertEquals(path, value(text, "partman-auto/disk"), text);
            assertEquals(path, value(text, "grub-installer/bootdev"), text);
            assertTrue(text.contains("debconf-set partman-auto/disk \"$(readlink -f " + path + ")\""), text);

            Tools.Run check = Tools.debconf(List.of(preseed));
            assertEquals(0, check.exit(), preseed + " rejected:\n" + check.output());
        }
    }

    /** The value of a "d-i QUESTION string VALUE" line. */
    private static String value(String preseed, String question) {
        Matcher m = Pattern.compile("(?m)^d-i " + Pattern.quote(question) + " string (.*)$").matcher(preseed);
        assertTrue(m.find(), "no " + question + " in\n" + preseed);
        return m.group(1);
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

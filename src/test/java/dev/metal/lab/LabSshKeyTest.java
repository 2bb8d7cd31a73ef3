package dev.metal.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.metal.cli.CliRun;
import dev.metal.provision.Fleet;
import dev.metal.testing.Tools;
import dev.metal.util.Json;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lab's own SSH key: the lab folder holds the pair, the site plan carries its public key,
 * and provisioning a lab host needs neither --ssh-key nor --no-ssh-keys; the config the host
 * fetches lets that key log in. ssh-keygen reads both the key it made and the JDK's.
 */
class LabSshKeyTest {
    @TempDir
    Path dir;

    /** The public key ssh-keygen derives from a private key file: its type and base64, without the comment. */
    private static String derivedPublicKey(Path privateKey) throws Exception {
        Path keygen = Tools.require("ssh-keygen", "openssh-client");
        Process p = new ProcessBuilder(keygen.toString(), "-y", "-f", privateKey.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "ssh-keygen -y -f " + privateKey + ": " + out);
        return typeAndKey(out);
    }

    private static String typeAndKey(String line) {
        String[] f = line.strip().split(" ");
        return f[0] + " " + f[1];
    }

    private static void assertPair(Path privateKey, Path publicKey) throws Exception {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(privateKey)), privateKey.toString());
        String pub = Files.readString(publicKey).strip();
        assertTrue(pub.matches("ssh-ed25519 [A-Za-z0-9+/=]+ metal-lab"), pub);
        assertEquals(typeAndKey(pub), derivedPublicKey(privateKey), "the public key belongs to the private key");
    }

    @Test
    void theLabHasAKeyOfItsOwnThatProvisioningUsesWithoutFlags() throws Exception {
        int bootPort = Fleet.freePort();
        Path labDir = dir.resolve("lab");
        Lab.Options options = new Lab.Options(4, 2, 0, List.of(), labDir, false,
                URI.create("http://127.0.0.1:" + bootPort), 0, Lab.DEFAULT_IPMI_PORT, Duration.ofMillis(200));
        try (Lab lab = Lab.start(options)) {
            lab.awaitReady(Duration.ofSeconds(30));
            Path privateKey = labDir.resolve("ssh/id_ed25519");
            assertEquals(privateKey, lab.sshKey().privateKey());
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(labDir.resolve("ssh"))));
            assertPair(privateKey, labDir.resolve("ssh/id_ed25519.pub"));
            String pub = Files.readString(labDir.resolve("ssh/id_ed25519.pub")).strip();
            assertTrue(Files.readString(labDir.resolve("site.yaml")).contains("ssh_keys:\n  - " + pub + "\n"),
                    "the site plan carries the lab's public key");

            Path state = dir.resolve("state.json");
            ok(CliRun.metal(state, "import", lab.rackCsv().toString()));
            ok(CliRun.metal(state, "discover", "--leases", lab.leases().toString(), "--port", Integer.toString(lab.bmcPort())));
            ok(CliRun.metal(state, "scrape", "--all"));
            ok(CliRun.metal(state, "match", "--all", "--profiles", labDir.resolve("profiles").toString()));
            ok(CliRun.metal(state, "site", "set", labDir.resolve("site.yaml").toString()));
            JsonNode site = Json.mapper().readTree(ok(CliRun.metal(state, "--json", "site", "show")).out);
            assertTrue(site.toString().contains(pub), site.toString());

            // No --ssh-key, no --no-ssh-keys: preflight takes the site plan's key.
            CliRun run = CliRun.metal(state, "provision", "lab-r1-n02", "--os", "debian-12",
                    "--listen", "127.0.0.1:" + bootPort, "--files", labDir.resolve("files").toString(), "--timeout", "10s");
            ok(run);
            assertEquals(Machine.Status.INSTALLED, lab.server("lab-r1-n02").machine.status(), run.toString());
            String preseed = ok(CliRun.metal(state, "render", "preseed", "lab-r1-n02")).out;
            assertTrue(preseed.contains(" echo '" + pub + "' >> /target/home/metal/.ssh/authorized_keys"), preseed);
            String cloudInit = ok(CliRun.metal(state, "render", "cloud-init", "lab-r1-n02")).out;
            assertTrue(cloudInit.contains(pub), cloudInit);
        }
        // A lab started again in the same folder keeps its key.
        String before = Files.readString(labDir.resolve("ssh/id_ed25519.pub"));
        LabSshKey.Pair again = LabSshKey.ensure(labDir);
        assertEquals(before.strip(), again.publicLine());
    }

    @Test
    void withoutSshKeygenTheJdkMakesAKeyThatOpenSshReads() throws Exception {
        Path ssh = Files.createDirectories(dir.resolve("jdk"));
        LabSshKey.generate(ssh.resolve("id_ed25519"), ssh.resolve("id_ed25519.pub"));
        assertPair(ssh.resolve("id_ed25519"), ssh.resolve("id_ed25519.pub"));
        String pem = Files.readString(ssh.resolve("id_ed25519"));
        assertTrue(pem.startsWith("-----BEGIN OPENSSH PRIVATE KEY-----\n"), pem);
    }

    private static CliRun ok(CliRun run) {
        assertEquals(0, run.exitCode, run.toString());
        return run;
    }
}

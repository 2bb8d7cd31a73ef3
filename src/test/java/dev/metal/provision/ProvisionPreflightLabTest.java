package dev.metal.provision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.metal.cli.CliRun;
import dev.metal.lab.Lab;
import dev.metal.lab.LabState;
import dev.metal.util.Json;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Preflight against the lab: a configuration mistake is found before any host is claimed and
 * before any BMC hears a request; every problem is one line, and the exit code is 2.
 */
class ProvisionPreflightLabTest {
    @TempDir
    static Path labHome;
    static Lab lab;
    static int bootPort;

    @TempDir
    Path dir;
    Path state;

    @BeforeAll
    static void startLab() throws Exception {
        bootPort = Fleet.freePort();
        lab = Lab.start(new Lab.Options(4, 2, 0, List.of(), labHome.resolve("lab"), false,
                URI.create("http://127.0.0.1:" + bootPort), 0, Lab.DEFAULT_IPMI_PORT, Duration.ofMillis(200)));
        lab.awaitReady(Duration.ofSeconds(30));
    }

    @AfterAll
    static void stopLab() {
        if (lab != null) lab.close();
    }

    @BeforeEach
    void prepare() {
        state = dir.resolve("state.json");
        Path labDir = labHome.resolve("lab");
        LabState.ready(state, lab, labDir);
        for (Lab.Server s : lab.servers()) s.bmc.resetCounters();
    }

    private CliRun metal(String... args) {
        return CliRun.metal(state, args);
    }

    /** No BMC of the lab saw a request, and every host is still ready: nothing was claimed. */
    private void untouched(CliRun run) throws Exception {
        for (Lab.Server s : lab.servers()) {
            assertEquals(0, s.bmc.requests(), s.hostname + "'s BMC was asked something: " + run);
        }
        for (JsonNode h : Json.mapper().readTree(metal("--json", "host", "list").out).get("hosts")) {
            assertEquals("ready", h.get("state").asText(), h.toString());
        }
        String journal = Files.exists(dir.resolve("state.json.journal"))
                ? Files.readString(dir.resolve("state.json.journal")) : "";
        assertTrue(!journal.contains("provision-claimed"), "a host was claimed");
    }

    private static List<String> lines(CliRun run) {
        List<String> out = new ArrayList<>();
        for (String l : run.err.split("\n")) if (!l.isBlank()) out.add(l);
        return out;
    }

    @Test
    void withoutFilesItStopsBeforeAnyBmcRequestNamingTheKernelAndInitrd() throws Exception {
        CliRun run = metal("provision", "lab-r1-n02", "lab-r2-n02", "--os", "debian-12", "--no-ssh-keys",
                "--listen", "127.0.0.1:" + bootPort, "--timeout", "5s");
        assertEquals(2, run.exitCode, run.toString());
        List<String> lines = lines(run);
        assertEquals(2, lines.size(), "one line per problem: " + lines);
        assertTrue(lines.get(0).contains("kernel not found") && lines.get(0).contains("debian-12/linux"), lines.get(0));
        assertTrue(lines.get(1).contains("initrd not found") && lines.get(1).contains("debian-12/initrd.gz"), lines.get(1));
        untouched(run);
    }

    @Test
    void everyProblemIsOneLineAndNothingIsTouched() throws Exception {
        Path files = labHome.resolve("lab/files");
        // No SSH keys anywhere, and a boot server on another port than the site plan sends machines to.
        CliRun run = metal("provision", "lab-r1-n02", "--os", "debian-12", "--files", files.toString(),
                "--listen", "127.0.0.1:" + Fleet.freePort());
        assertEquals(2, run.exitCode, run.toString());
        List<String> lines = lines(run);
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).contains("no SSH keys") && lines.get(0).contains("--no-ssh-keys"), lines.get(0));
        assertTrue(lines.get(1).contains("boot server listens on") && lines.get(1).contains("not the same port"),
                lines.get(1));
        untouched(run);

        // The site plan uses a NIC name the profiles do not have, and misses rack lab-r2.
        String site = Files.readString(labHome.resolve("lab/site.yaml")).replace("mgmt: mgmt0", "mgmt: oob0");
        int r2 = site.indexOf("  - name: lab-r2");
        site = site.substring(0, r2) + site.substring(site.indexOf("os:", r2));
        Files.writeString(dir.resolve("site.yaml"), site);
        ok(metal("site", "set", dir.resolve("site.yaml").toString()));
        run = metal("provision", "lab-r1-n02", "lab-r2-n02", "--os", "debian-12", "--files", files.toString(),
                "--listen", "127.0.0.1:" + bootPort, "--no-ssh-keys");
        assertEquals(2, run.exitCode, run.toString());
        assertTrue(run.err.contains("lab-r1-n02: profile lab-1u-compute has no NIC named oob0"), run.err);
        assertTrue(run.err.contains("lab-r2-n02: rack lab-r2 is not in the site plan"), run.err);
        for (Lab.Server s : lab.servers()) assertEquals(0, s.bmc.requests(), s.hostname);
    }

    @Test
    void unknownOsProfileAndPoolTargetAreRefusedAlsoInADryRun() throws Exception {
        for (String dry : List.of("--dry-run", "--no-ssh-keys")) {
            CliRun os = metal("provision", "lab-r1-n02", "--os", "ubuntu", dry, "--listen", "127.0.0.1:" + bootPort);
            assertEquals(2, os.exitCode, os.toString());
            assertTrue(os.err.contains("unknown OS 'ubuntu': the site plan's catalog has ")
                    && os.err.contains("debian-12"), os.err);
            CliRun profile = metal("provision", "--profile", "nosuch", "--os", "debian-12", dry,
                    "--listen", "127.0.0.1:" + bootPort);
            assertEquals(2, profile.exitCode, profile.toString());
            assertTrue(profile.err.contains("unknown profile 'nosuch': no host matched it (known: lab-1u-compute"),
                    profile.err);
        }
        CliRun target = metal("pool", "target", "nosuchprofile", "3");
        assertEquals(2, target.exitCode, target.toString());
        assertTrue(target.err.contains("unknown profile 'nosuchprofile'"), target.err);
        assertTrue(!metal("--json", "pool", "status").out.contains("nosuchprofile"), "the target was not stored");
        untouched(target);
    }

    @Test
    void poolWarmChecksTheSitePlanBeforeAnyBmc() throws Exception {
        ok(metal("pool", "target", "lab-1u-compute", "2"));
        String site = Files.readString(labHome.resolve("lab/site.yaml")).replace("public: ext0", "public: nosuch0");
        Files.writeString(dir.resolve("site.yaml"), site);
        ok(metal("site", "set", dir.resolve("site.yaml").toString()));
        CliRun warm = metal("pool", "warm");
        assertEquals(2, warm.exitCode, warm.toString());
        assertTrue(warm.err.contains("has no NIC named nosuch0 (the site plan's public NIC)"), warm.err);
        untouched(warm);
    }

    private static void ok(CliRun run) {
        assertEquals(0, run.exitCode, run.toString());
    }
}

package dev.metal.provision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.metal.cli.CliRun;
import dev.metal.lab.Lab;
import dev.metal.lab.LabState;
import dev.metal.state.JournalQuery;
import dev.metal.state.Store;
import dev.metal.state.Stores;
import dev.metal.util.Json;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failures against the lab (Redfish BMCs, machines that PXE-boot from metal's boot server):
 * broken boot files stop the run as systemic instead of burning the pool, a quarantined host
 * is powered off, and an interrupted run leaves hosts that --resume or 'host release' take up.
 * Six servers in two racks; the compute ones are lab-r1-n02 (its install fails), lab-r2-n01
 * and lab-r2-n03.
 */
class ProvisionFailureLabTest {
    private static final String COMPUTE = "lab-1u-compute";

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
        lab = Lab.start(new Lab.Options(6, 2, 0, List.of(Lab.Fault.parse("2:install-fails")), labHome.resolve("lab"),
                false, URI.create("http://127.0.0.1:" + bootPort), 0, Lab.DEFAULT_IPMI_PORT, Duration.ofMillis(200)));
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
    }

    private CliRun metal(String... args) {
        return CliRun.metal(state, args);
    }

    /** The lab's boot files, or copies that are web pages (a download gone wrong): present, but they do not boot. */
    private Path files(boolean broken) throws Exception {
        if (!broken) return labHome.resolve("lab/files");
        Path files = Files.createDirectories(dir.resolve("broken/debian-12"));
        for (String f : List.of("linux", "initrd.gz")) {
            Files.writeString(files.resolve(f), "<html><body><h1>502 Bad Gateway</h1></body></html>\n");
        }
        return dir.resolve("broken");
    }

    private Map<String, String> states() throws Exception {
        Map<String, String> out = new HashMap<>();
        for (JsonNode h : Json.mapper().readTree(metal("--json", "host", "list").out).get("hosts")) {
            out.put(h.get("hostname").asText(), h.get("state").asText());
        }
        return out;
    }

    @Test
    void brokenBootFilesStopTheRunAsSystemicAndNoHostIsBurned() throws Exception {
        CliRun run = metal("provision", "--profile", COMPUTE, "--count", "1", "--retries", "5", "--os", "debian-12",
                "--files", files(true).toString(), "--listen", "127.0.0.1:" + bootPort, "--timeout", "3s",
                "--no-ssh-keys");
        assertEquals(1, run.exitCode, run.toString());
        assertTrue(run.err.contains("metal: systemic: fetched its iPXE script but never asked for its config"),
                run.err);
        assertTrue(run.err.contains("broken boot files?"), run.err);
        // Two hosts failed the same way, one after the other; the third compute host was never tried.
        try (Store store = Stores.open(state.toString(), "test", Clock.systemUTC())) {
            long quarantined = store.journal(JournalQuery.all().ofEvents("provision-failed")).size();
            assertTrue(quarantined <= 2, "at most 2 hosts quarantined: " + quarantined);
            assertEquals(2, store.journal(JournalQuery.all().ofEvents("provision-claimed")).size());
        }
        Map<String, String> states = states();
        assertTrue(states.values().stream().allMatch(s -> s.equals("ready")), "every host is ready again: " + states);
        assertEquals("Off", lab.server("lab-r1-n02").redfishPowerState(), "powered off after the failed boot");
    }

    @Test
    void aQuarantinedHostIsPoweredOffUnlessKeepPower() throws Exception {
        String[] provision = {"provision", "lab-r1-n02", "--retries", "0", "--os", "debian-12",
            "--files", files(false).toString(), "--listen", "127.0.0.1:" + bootPort, "--timeout", "5s", "--no-ssh-keys"};
        CliRun run = metal(provision);
        assertEquals(1, run.exitCode, run.toString());
        JsonNode host = Json.mapper().readTree(metal("--json", "host", "show", "lab-r1-n02").out);
        assertEquals("quarantined", host.get("state").asText());
        assertEquals("booted the installer (it fetched its preseed.cfg) but never phoned home within 5s",
                host.get("stateReason").asText(), "the reason names the step, from what the boot server saw");
        assertEquals("Off", lab.server("lab-r1-n02").redfishPowerState());

        ok(metal("host", "release", "lab-r1-n02", "--reason", "try again"));
        String[] keep = java.util.Arrays.copyOf(provision, provision.length + 1);
        keep[provision.length] = "--keep-power";
        assertEquals(1, metal(keep).exitCode);
        assertEquals("quarantined", states().get("lab-r1-n02"));
        assertEquals("On", lab.server("lab-r1-n02").redfishPowerState(), "--keep-power leaves it on");
    }

    @Test
    void anInterruptedRunLeavesHostsForResumeOrReleaseAndSaysSo() throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path err = dir.resolve("provision.err");
        // Broken files: the machines never phone home, so the run waits until it is interrupted.
        Process p = new ProcessBuilder(List.of(javaBin, "-cp", System.getProperty("java.class.path"),
                "dev.metal.cli.Main", "--state", state.toString(), "provision", "--profile", COMPUTE, "--count", "2",
                "--os", "debian-12", "--files", files(true).toString(), "--listen", "127.0.0.1:" + bootPort,
                "--timeout", "5m", "--no-ssh-keys"))
                .redirectOutput(dir.resolve("provision.out").toFile()).redirectError(err.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            try (Store store = Stores.open(state.toString(), "test", Clock.systemUTC())) {
                while (store.journal(JournalQuery.all().ofEvents("boot-stage")).stream()
                        .filter(e -> "script".equals(e.detail().get("stage"))).count() < 2) {
                    assertTrue(System.nanoTime() < deadline && p.isAlive(), "the machines never booted: "
                            + Files.readString(err));
                    Thread.sleep(100);
                }
            }
            Process kill = new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start();
            assertEquals(0, kill.waitFor());
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "metal exits on SIGINT");
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        assertEquals(130, p.exitValue());
        String said = Files.readString(err, StandardCharsets.UTF_8);
        assertTrue(said.contains("interrupted: 2 host(s) left provisioning (lab-r1-n02, lab-r2-n01)"), said);
        assertTrue(said.contains("'metal provision --resume'"), said);
        try (Stream<Path> files = Files.list(dir)) {
            List<String> locks = files.map(f -> f.getFileName().toString()).filter(f -> f.contains(".provision-")).toList();
            assertEquals(List.of(), locks, "no request lock file is left");
        }
        Map<String, String> states = states();
        assertEquals("provisioning", states.get("lab-r1-n02"));
        assertEquals("provisioning", states.get("lab-r2-n01"));

        CliRun release = metal("host", "release", "lab-r1-n02", "--reason", "interrupted");
        assertEquals(0, release.exitCode, release.toString());
        assertEquals("ready", states().get("lab-r1-n02"));
        CliRun resumed = metal("provision", "--resume", "--files", files(false).toString(),
                "--listen", "127.0.0.1:" + bootPort, "--timeout", "20s");
        assertEquals(0, resumed.exitCode, resumed.toString());
        assertTrue(resumed.out.contains("1 active, 0 failed"), resumed.out);
        assertEquals("active", states().get("lab-r2-n01"));
    }

    private static void ok(CliRun run) {
        assertEquals(0, run.exitCode, run.toString());
    }
}

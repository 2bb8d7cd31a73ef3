package dev.metal.onboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.metal.cli.CliRun;
import dev.metal.lab.Lab;
import dev.metal.lab.LabHardware;
import dev.metal.model.Host;
import dev.metal.model.HostState;
import dev.metal.testing.TestState;
import dev.metal.testing.Tools;
import dev.metal.util.Json;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 'metal onboard' against a lab of six, server 3 short of a DIMM: exit 3, the report in rack
 * and U order (golden files, text and JSON) with the slot to look at, reservations that
 * dnsmasq accepts; a second run changes nothing, and after the DIMM is reseated the next run
 * makes the host ready.
 */
class OnboardLabTest {
    static final Path GOLDEN = Path.of(System.getProperty("metal.basedir", "."))
            .resolve("src/test/resources/golden/onboard");

    @TempDir
    Path tmp;

    @Test
    void aRackWithAMissingDimmIsReportedByRackAndUAndRunsAgainWithoutChange() throws Exception {
        Path dnsmasq = Tools.require("dnsmasq", "dnsmasq-base");
        Path state = tmp.resolve("state.json");
        Path dir = tmp.resolve("lab");
        Path out = tmp.resolve("dhcp");
        Lab.Options options = new Lab.Options(6, 0, 0, List.of(Lab.Fault.parse("3:missing-dimm")), dir, false,
                URI.create("http://127.0.0.1:9"), 0, Lab.DEFAULT_IPMI_PORT, Duration.ofMillis(100));
        try (Lab lab = Lab.start(options)) {
            lab.awaitReady(Duration.ofSeconds(60));
            // What a tech has: the sticker, the lab's leases, profiles and site plan; the login given once.
            StringBuilder sheet = new StringBuilder("hostname,rack,u,bmc_mac\n");
            for (Lab.Server s : lab.servers()) {
                sheet.append(s.hostname).append(',').append(s.rackName).append(',').append(options.u(s.slot)).append(',')
                        .append(s.bmcMac()).append('\n');
            }
            Path csv = Files.writeString(tmp.resolve("rack.csv"), sheet);
            List<String> args = new ArrayList<>(List.of("onboard", csv.toString(), "--leases", lab.leases().toString(),
                    "--port", Integer.toString(lab.bmcPort()), "--profiles", dir.resolve("profiles").toString(),
                    "--site", dir.resolve("site.yaml").toString(), "--out", out.toString(), "--bmc-user", "admin",
                    "--bmc-password", "file:" + dir.resolve("bmc-password")));

            CliRun first = metal(state, 3, args);
            golden("report.txt", first.out.replace(tmp.toString(), "TMP"));
            Map<String, Host> hosts = TestState.hosts(state);
            for (Lab.Server s : lab.servers()) {
                Host h = hosts.get(s.hostname);
                assertEquals(s.number == 3 ? HostState.FAILED : HostState.READY, h.state(), s.hostname);
                assertTrue(first.err.contains("metal: onboard: " + s.hostname + " [imported] finding the BMC in the leases\n"),
                        first.err);
            }
            // The reservations: both MACs of every ready host, the BMC of the faulty one; dnsmasq takes them.
            String conf = Files.readString(out.resolve("dnsmasq.conf"));
            for (Lab.Server s : lab.servers()) {
                assertTrue(conf.contains(s.bmcMac()), conf);
                assertEquals(s.number != 3, conf.contains(s.mgmtMac()), s.hostname + "\n" + conf);
            }
            Tools.Run test = run(dnsmasq.toString(), "--test", "--conf-file=" + out.resolve("dnsmasq.conf"));
            assertEquals(0, test.exit(), test.output());

            // Again, for a script: the same report as JSON, and nothing changed.
            Map<String, String> files = read(out);
            Map<String, Host> before = comparable(TestState.hosts(state));
            List<String> json = new ArrayList<>(args);
            json.add("--json");
            CliRun second = metal(state, 3, json);
            JsonNode report = Json.mapper().readTree(second.out);
            golden("report.json", Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(report)
                    .replace(tmp.toString(), "TMP") + "\n");
            assertEquals(before, comparable(TestState.hosts(state)), "a second run changed hosts");
            assertEquals(files, read(out), "a second run changed the reservations");

            // The DIMM reseated on the floor: the next run makes the host ready, with its reservation.
            Lab.Server three = lab.servers().get(2);
            Map<String, ObjectNode> healthy = LabHardware.tree(three.model, three.number, EnumSet.noneOf(Lab.FaultKind.class));
            for (Map.Entry<String, ObjectNode> e : healthy.entrySet()) {
                if (e.getKey().contains("/Memory")) three.bmc.put(e.getKey(), e.getValue());
            }
            CliRun fixed = metal(state, 0, args);
            assertTrue(fixed.out.contains("6 ready, 0 faulty"), fixed.out);
            assertEquals(HostState.READY, TestState.hosts(state).get(three.hostname).state());
            assertTrue(Files.readString(out.resolve("dnsmasq.conf")).contains(three.mgmtMac()));
        }
    }

    @Test
    void badInputChangesNothing() throws Exception {
        Path state = tmp.resolve("state.json");
        Path csv = Files.writeString(tmp.resolve("rack.csv"), "hostname,rack,u,bmc_mac\nr1-n01,r1,1,02:00:00:00:00:01\n");
        Path leases = Files.writeString(tmp.resolve("dnsmasq.leases"), "1900000000 02:00:00:00:00:01 10.0.0.5 r1-n01-bmc *\n");
        Path profiles = Files.createDirectories(tmp.resolve("profiles"));
        Files.writeString(profiles.resolve("any.yaml"), "name: any\ncpus: {count: 2}\n");
        CliRun noSite = CliRun.metal(state, "onboard", csv.toString(), "--leases", leases.toString(), "--profiles",
                profiles.toString(), "--bmc-user", "admin", "--bmc-password", "env:NOPE");
        assertEquals(2, noSite.exitCode, noSite.toString());
        assertTrue(noSite.err.contains("no site plan in the state yet: give --site FILE"), noSite.err);
        CliRun noLogin = CliRun.metal(state, "onboard", csv.toString(), "--leases", leases.toString(), "--profiles",
                profiles.toString(), "--site", "nosuch.yaml");
        assertEquals(2, noLogin.exitCode, noLogin.toString());
        assertTrue(noLogin.err.contains("nosuch.yaml"), noLogin.err);
        assertTrue(Files.notExists(state), "bad input wrote the state");
    }

    /** Hosts without the inventories' read times, which a run over a faulty host renews. */
    private static Map<String, Host> comparable(Map<String, Host> hosts) {
        Map<String, Host> out = new TreeMap<>();
        for (Host h : hosts.values()) {
            out.put(h.hostname(), new Host(h.hostname(), h.rack(), h.u(), h.bmc(), h.mgmtMac(), h.serial(), h.tags(),
                    h.state(), h.stateReason(), h.stateSince(), null, null, h.match(), h.addresses(), h.provisioning()));
        }
        return out;
    }

    private static Map<String, String> read(Path dir) throws Exception {
        Map<String, String> files = new TreeMap<>();
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) files.put(p.getFileName().toString(), Files.readString(p));
        }
        return files;
    }

    private static void golden(String name, String actual) throws Exception {
        Path file = GOLDEN.resolve(name);
        if (Boolean.getBoolean("metal.golden.update")) {
            Files.createDirectories(GOLDEN);
            Files.writeString(file, actual);
        }
        assertEquals(Files.readString(file), actual, "golden file " + file + " (regenerate with -Dmetal.golden.update=true)");
    }

    private static CliRun metal(Path state, int exit, List<String> args) {
        CliRun run = CliRun.metal(state, args.toArray(String[]::new));
        assertEquals(exit, run.exitCode, String.join(" ", args) + "\n" + run);
        return run;
    }

    private static Tools.Run run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return new Tools.Run(p.exitValue(), output);
    }
}

package dev.metal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.metal.ipmi.IpmiSim;
import dev.metal.lab.IpmiSimProcess;
import dev.metal.model.Host;
import dev.metal.model.HostState;
import dev.metal.state.Stores;
import dev.metal.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** metal power and metal boot against simulated BMCs, each result read back with ipmitool. */
class PowerCommandTest {
    @TempDir
    static Path simDir;
    static List<IpmiSim> sims;

    @TempDir
    Path dir;
    Path state;

    @BeforeAll
    static void startFleet() {
        sims = IpmiSim.fleet(simDir, 3);
    }

    @AfterAll
    static void stopFleet() {
        if (sims != null) sims.forEach(IpmiSim::close);
    }

    @BeforeEach
    void importHosts() throws Exception {
        state = dir.resolve("state.json");
        StringBuilder csv = new StringBuilder(
                "hostname,rack,u,bmc_mac,bmc_address,bmc_user,bmc_password,ipmi_port,mgmt_mac\n");
        for (int i = 0; i < sims.size(); i++) {
            sims.get(i).process().setPower(false);
            csv.append(String.format("h%d,r1,%d,0c:c4:7a:00:00:%02x,127.0.0.1,%s,%s,%d,0c:c4:7a:01:00:%02x%n",
                    i, i + 1, i, IpmiSim.USER, IpmiSim.PASSWORD, sims.get(i).port(), i));
        }
        // Hosts whose BMC is wrong: a bad password, and a port where nothing listens.
        csv.append(String.format("badpw,r1,10,0c:c4:7a:00:00:10,127.0.0.1,%s,nope,%d,0c:c4:7a:01:00:10%n",
                IpmiSim.USER, sims.get(0).port()));
        csv.append(String.format("nobmc,r1,11,0c:c4:7a:00:00:11,127.0.0.1,%s,%s,%d,0c:c4:7a:01:00:11%n",
                IpmiSim.USER, IpmiSim.PASSWORD, IpmiSimProcess.freeUdpPort()));
        Path file = dir.resolve("rack.csv");
        Files.writeString(file, csv);
        CliRun run = CliRun.metal(state, "import", file.toString());
        assertEquals(0, run.exitCode, run.toString());
    }

    /** The per-host results: the "hosts" list of the JSON contract. */
    private static JsonNode json(CliRun run) throws Exception {
        return Json.mapper().readTree(run.out).get("hosts");
    }

    @Test
    void onAndStatusOverAFleet() throws Exception {
        CliRun run = CliRun.metal(state, "power", "on", "h0", "h1", "h2", "--json");
        assertEquals(0, run.exitCode, run.toString());
        JsonNode out = json(run);
        assertEquals(3, out.size());
        for (JsonNode o : out) {
            assertEquals("ok", o.get("result").asText(), o.toString());
            assertEquals("ipmi", o.get("protocol").asText());
            assertEquals("on", o.get("power").asText());
        }
        for (IpmiSim sim : sims) assertEquals("on", sim.ipmitoolPower());

        sims.get(1).process().setPower(false);
        run = CliRun.metal(state, "power", "status", "h0", "h1");
        assertEquals(0, run.exitCode, run.toString());
        assertTrue(run.out.matches("(?s).*h0\\s+status\\s+ipmi\\s+ok\\s+on.*"), run.out);
        assertTrue(run.out.matches("(?s).*h1\\s+status\\s+ipmi\\s+ok\\s+off.*"), run.out);
    }

    @Test
    void offSoftCycleAndReset() throws Exception {
        IpmiSim sim = sims.get(0);
        sim.process().setPower(true);
        assertEquals(0, CliRun.metal(state, "power", "off", "h0").exitCode);
        assertEquals("off", sim.ipmitoolPower());

        // cycle on a host that is off powers it on
        CliRun run = CliRun.metal(state, "power", "cycle", "h0", "--json");
        assertEquals(0, run.exitCode, run.toString());
        assertEquals("on", json(run).get(0).get("power").asText());
        assertTrue(json(run).get(0).get("notes").toString().contains("was off"), run.out);
        assertEquals("on", sim.ipmitoolPower());

        // cycle on a host that is on: ipmi_sim drops power, then raises it again
        int before = sim.process().chassisLog().size();
        run = CliRun.metal(state, "power", "cycle", "h0");
        assertEquals(0, run.exitCode, run.toString());
        List<String> calls = sim.process().chassisLog().subList(before, sim.process().chassisLog().size());
        assertTrue(calls.stream().anyMatch(l -> l.endsWith("set power 0")), calls.toString());
        assertTrue(calls.stream().anyMatch(l -> l.endsWith("set power 1")), calls.toString());
        assertEquals("on", sim.ipmitoolPower());

        run = CliRun.metal(state, "power", "reset", "h0");
        assertEquals(0, run.exitCode, run.toString());
        assertTrue(sim.process().chassisLog().stream().anyMatch(l -> l.endsWith("set reset 1")));

        run = CliRun.metal(state, "power", "soft", "h0");
        assertEquals(0, run.exitCode, run.toString());
        assertEquals("off", sim.ipmitoolPower());

        // Every change is in the journal, with the protocol that acted; reads are not.
        String history = CliRun.metal(state, "host", "history", "h0").out;
        for (String event : List.of("power off", "power cycle", "power reset", "power soft")) {
            assertTrue(history.contains(event), history);
        }
        assertTrue(history.contains("protocol=ipmi"), history);
    }

    @Test
    void bootDevicesAsIpmitoolReadsThem() throws Exception {
        IpmiSim sim = sims.get(2);
        String[][] cases = {
            {"pxe", "Force PXE", "pxe"},
            {"disk", "Force Boot from default Hard-Drive", "default"},
            {"bios", "Force Boot into BIOS Setup", "bios"},
            {"cdrom", "Force Boot from CD/DVD", "cdrom"},
        };
        for (String[] c : cases) {
            CliRun run = CliRun.metal(state, "boot", c[0], "h2", "--persistent", "--uefi", "--json");
            assertEquals(0, run.exitCode, run.toString());
            JsonNode o = json(run).get(0);
            assertEquals("ok", o.get("result").asText(), run.out);
            assertEquals(c[0], o.get("boot").get("device").asText(), run.out);
            assertEquals(c[1], sim.ipmitoolBootDevice());
            assertEquals(c[2], sim.process().bootDevice());
        }
        assertTrue(CliRun.metal(state, "host", "history", "h2").out.contains("boot cdrom"));
    }

    @Test
    void activeHostsAreRefusedUnlessForced() throws Exception {
        Stores.open(state.toString(), "test", Clock.systemUTC()).update(tx -> {
            Host h = tx.host("h1");
            for (HostState s : List.of(HostState.DISCOVERED, HostState.INVENTORIED, HostState.READY,
                    HostState.PROVISIONING, HostState.ACTIVE)) {
                h = h.moveTo(s, "test", tx.now());
            }
            tx.put(h, "test");
            return null;
        });
        IpmiSim sim = sims.get(1);
        sim.process().setPower(true);
        int calls = sim.process().chassisLog().size();

        CliRun run = CliRun.metal(state, "power", "off", "h1");
        assertEquals(ExitCodes.FAILURE, run.exitCode, run.toString());
        assertTrue(run.out.contains("refused") && run.out.contains("--force"), run.out);
        run = CliRun.metal(state, "boot", "pxe", "h1");
        assertEquals(ExitCodes.FAILURE, run.exitCode, run.toString());
        assertEquals(calls, sim.process().chassisLog().size(), "nothing may reach the BMC of an active host");
        assertEquals("on", sim.ipmitoolPower());

        // reading and powering on are fine, and --force acts
        assertEquals(0, CliRun.metal(state, "power", "status", "h1").exitCode);
        assertEquals(0, CliRun.metal(state, "power", "on", "h1").exitCode);
        run = CliRun.metal(state, "power", "off", "h1", "--force");
        assertEquals(0, run.exitCode, run.toString());
        assertEquals("off", sim.ipmitoolPower());
        String history = CliRun.metal(state, "host", "history", "h1").out;
        assertTrue(history.contains("result=refused") && history.contains("result=ok"), history);
    }

    @Test
    void someHostsFailingIsPartialWithAClearErrorEach() throws Exception {
        CliRun run = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> CliRun.metal(state, "power", "on", "h0", "badpw", "nobmc", "--json"));
        assertEquals(ExitCodes.PARTIAL, run.exitCode, run.toString());
        JsonNode out = json(run);
        assertEquals("ok", out.get(0).get("result").asText());
        assertEquals("failed", out.get(1).get("result").asText());
        assertTrue(out.get(1).get("error").asText().contains("refused user 'admin'"), out.get(1).toString());
        assertEquals("failed", out.get(2).get("result").asText());
        assertTrue(out.get(2).get("error").asText().contains("no answer"), out.get(2).toString());
        assertFalse(run.out.contains("nope") || run.err.contains("nope"), "a password was shown");
        assertFalse(run.out.contains(IpmiSim.PASSWORD) || run.err.contains(IpmiSim.PASSWORD), "a password was shown");
    }

    @Test
    void aBmcWithoutRedfishFailsClearlyAndUnknownHostsAreBadInput() {
        // ipmi_sim speaks IPMI only: asking for Redfish names the host and what failed.
        CliRun run = CliRun.metal(state, "power", "status", "h0", "--via", "redfish");
        assertEquals(ExitCodes.FAILURE, run.exitCode, run.toString());
        // In words, with the host named once (in its column), not the JDK's "Failed to connect to /127.0.0.1:443".
        assertTrue(run.out.contains("failed  -      /redfish/v1/SessionService/Sessions: cannot connect to 127.0.0.1:443"),
                run.out);
        assertFalse(run.out.contains("h0: "), run.out);
        assertFalse(run.out.contains("Failed to connect"), run.out);

        run = CliRun.metal(state, "power", "on", "h0", "ghost");
        assertEquals(ExitCodes.BAD_INPUT, run.exitCode, run.toString());
        assertTrue(run.err.contains("unknown host ghost"), run.err);
    }
}

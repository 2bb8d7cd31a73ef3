package dev.metal.lab;

import dev.metal.state.Stores;
import java.time.Clock;
import dev.metal.state.HostQuery;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metal.cli.CliRun;
import dev.metal.model.Host;
import dev.metal.model.HostState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** 'metal demo' end to end: the real commands against an in-process lab, Redfish only. */
class DemoTest {
    @TempDir
    Path tmp;

    @Test
    void demoEndsWithActiveHostsAndAStateToExplore() throws Exception {
        Path dir = tmp.resolve("demo");
        // No METAL_STATE and no profiles folder from outside: the demo brings its own.
        CliRun run = CliRun.metal(Map.of(), "demo", "--dir", dir.toString(), "--hosts", "6");
        assertEquals(0, run.exitCode, run.toString());
        for (String step : new String[] {"import", "discover --leases", "scrape --all", "match --all", "site set",
            "render preseed --all", "render frr --all", "provision --profile lab-1u-compute --count 2"}) {
            assertTrue(run.out.contains("$ metal --state " + dir.resolve("state.json") + " " + step), step + "\n" + run.out);
        }
        assertTrue(run.out.contains("DIMM slot D2 empty"), "match names the missing DIMM\n" + run.out);
        assertTrue(run.out.contains("lab-r1-n02 quarantined"), "the failed install is quarantined\n" + run.out);
        assertTrue(run.out.contains("host history lab-r1-n02"), run.out);

        Map<HostState, Long> states = Stores.open(dir.resolve("state.json").toString(), "test", Clock.systemUTC()).hosts(HostQuery.all()).stream()
                .collect(Collectors.groupingBy(Host::state, Collectors.counting()));
        assertEquals(2L, states.get(HostState.ACTIVE), states.toString());
        assertEquals(1L, states.get(HostState.QUARANTINED), states.toString());
        assertTrue(Files.exists(dir.resolve("rendered/preseed/lab-r2-n01/preseed.cfg")));
        assertTrue(Files.exists(dir.resolve("rendered/dhcp/dnsmasq.conf")));
        assertFalse(Files.exists(dir.resolve("lab/lab.pid")), "the lab is stopped");

        // What the demo tells a user to try next works on what it left.
        run = CliRun.metal(dir.resolve("state.json"), "host", "history", "lab-r1-n02");
        assertEquals(0, run.exitCode, run.toString());
        run = CliRun.metal(Map.of(), "demo", "--dir", tmp.toString());
        assertEquals(2, run.exitCode, "a folder that is not a demo's is left alone\n" + run);
        assertTrue(Files.exists(dir.resolve("state.json")));
    }
}

package dev.metal.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metal.boot.BootServer;
import dev.metal.cli.CliRun;
import dev.metal.model.Host;
import dev.metal.model.HostState;
import dev.metal.model.SystemicException;
import dev.metal.state.HostQuery;
import dev.metal.state.Stores;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
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

    @Test
    void demoRunsBesideALabThatHoldsTheDefaultPorts() throws Exception {
        Lab other = null;
        try (ServerSocket boot = holdIfFree(BootServer.DEFAULT_PORT)) {
            try {
                other = Lab.start(new Lab.Options(2, 1, 0, List.of(), tmp.resolve("other"), false,
                        URI.create("http://" + BootServer.DEFAULT_LISTEN), Lab.DEFAULT_BMC_PORT, Lab.DEFAULT_IPMI_PORT,
                        Duration.ofSeconds(2)));
            } catch (SystemicException taken) {
                // Another lab on this machine holds them already: just as good.
            }
            assertTrue(listening("127.77.1.1", Lab.DEFAULT_BMC_PORT), "a lab holds 127.77.1.1:" + Lab.DEFAULT_BMC_PORT);
            assertTrue(listening("127.0.0.1", BootServer.DEFAULT_PORT), "something holds the default boot port");

            Path dir = tmp.resolve("demo");
            CliRun run = CliRun.metal(Map.of(), "demo", "--dir", dir.toString(), "--hosts", "4");
            assertEquals(0, run.exitCode, run.toString());
            assertTrue(run.out.contains("1 active, 0 failed"), run.out);
        } finally {
            if (other != null) other.close();
        }
    }

    /** A socket holding the port on 127.0.0.1, or null when something holds it already. */
    private static ServerSocket holdIfFree(int port) throws IOException {
        ServerSocket s = new ServerSocket();
        try {
            s.bind(new InetSocketAddress("127.0.0.1", port));
            return s;
        } catch (IOException taken) {
            s.close();
            return null;
        }
    }

    private static boolean listening(String ip, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(ip, port), 2000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}

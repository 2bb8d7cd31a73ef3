package dev.metal.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metal.cli.CliRun;
import dev.metal.lab.Lab;
import dev.metal.model.Host;
import dev.metal.model.HostState;
import dev.metal.model.Site;
import dev.metal.state.Store;
import dev.metal.testing.TestState;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rack CSV with only what is on a server's sticker (and the BMC login, or not even that):
 * the management MAC comes from the scrape, through the NIC the site plan names, and a
 * mgmt_mac on the sheet that the scrape contradicts is a fault named on the host.
 */
class StickerCsvLabTest {
    @TempDir
    Path tmp;

    @Test
    void aSheetWithoutMgmtMacLearnsItFromTheScrapeAndAWrongOneIsAFault() throws Exception {
        Path state = tmp.resolve("state.json");
        Path dir = tmp.resolve("lab");
        Lab.Options options = new Lab.Options(6, 2, 0, List.of(), dir, false, URI.create("http://127.0.0.1:9"), 0,
                Lab.DEFAULT_IPMI_PORT, Duration.ofMillis(100));
        try (Lab lab = Lab.start(options)) {
            lab.awaitReady(Duration.ofSeconds(60));
            String passwordRef = "file:" + dir.resolve("bmc-password").toAbsolutePath();
            StringBuilder full = new StringBuilder("hostname,rack,u,bmc_mac,bmc_user,bmc_password\n");
            StringBuilder sticker = new StringBuilder("hostname,rack,u,bmc_mac\n");
            for (Lab.Server s : lab.servers()) {
                String row = s.hostname + "," + s.rackName + "," + options.u(s.slot) + "," + s.bmcMac();
                (s.number <= 3 ? full.append(row).append(",admin,").append(passwordRef) : sticker.append(row))
                        .append('\n');
            }
            Path first = Files.writeString(tmp.resolve("first.csv"), full);
            Path second = Files.writeString(tmp.resolve("second.csv"), sticker);

            // Without credentials in the sheet or on the command line: one problem for the file, no lock left.
            CliRun refused = CliRun.metal(state, "import", second.toString());
            assertEquals(2, refused.exitCode, refused.toString());
            assertTrue(refused.err.contains("second.csv line 1: missing column 'bmc_user' (or give --bmc-user"),
                    refused.err);
            assertFalse(Files.exists(state) || Files.exists(tmp.resolve("state.json.lock")), "a failed import left files");

            metal(state, 0, "import", first.toString());
            metal(state, 0, "import", second.toString(), "--bmc-user", "admin", "--bmc-password", passwordRef);
            metal(state, 0, "discover", "--leases", lab.leases().toString(), "--port", Integer.toString(lab.bmcPort()));
            metal(state, 0, "scrape", "--all");
            metal(state, 0, "site", "set", dir.resolve("site.yaml").toString());

            // Before the match, the management MAC is unknown, and render says so rather than guessing.
            CliRun early = CliRun.metal(state, "render", "dhcp", "lab-r1-n01");
            assertEquals(2, early.exitCode, early.toString());
            assertTrue(early.err.contains("lab-r1-n01: management MAC unknown: the rack CSV gives no mgmt_mac and the "
                    + "host has no profile match yet"), early.err);

            metal(state, 0, "match", "--all", "--profiles", dir.resolve("profiles").toString());
            Map<String, Host> hosts = TestState.hosts(state);
            Site site;
            try (Store store = TestState.open(state)) {
                site = store.site();
            }
            assertEquals(6, hosts.size());
            for (Lab.Server s : lab.servers()) {
                Host h = hosts.get(s.hostname);
                assertNull(h.mgmtMac(), "the sheet gave none");
                assertEquals("admin", h.bmc().user());
                assertEquals(HostState.READY, h.state(), h.hostname() + ": " + h.stateReason());
                assertEquals(s.mgmtMac(), h.managementMac(site), s.hostname);
            }
            CliRun show = metal(state, 0, "host", "show", "lab-r1-n02");
            assertTrue(show.out.contains(lab.server("lab-r1-n02").mgmtMac()), show.out);
            CliRun dhcp = metal(state, 0, "render", "dhcp", "lab-r1-n01");
            assertTrue(dhcp.out.contains(lab.server("lab-r1-n01").mgmtMac()), dhcp.out);

            // A site plan whose management NIC the profile lacks: render and provision say so, and take nothing.
            Path otherPlan = Files.writeString(tmp.resolve("site.yaml"), Files.readString(dir.resolve("site.yaml"))
                    .replace("mgmt: mgmt0", "mgmt: oob0"));
            metal(state, 0, "site", "set", otherPlan.toString());
            String unknown = "lab-r1-n01: management MAC unknown: the rack CSV gives no mgmt_mac and profile "
                    + "lab-2u-storage has no NIC oob0 (the site plan's nics.mgmt)";
            for (List<String> args : List.of(List.of("render", "dhcp", "lab-r1-n01"),
                    List.of("render", "ipxe", "lab-r1-n01"),
                    List.of("provision", "lab-r1-n01", "--os", "debian-12", "--dry-run"))) {
                CliRun said = CliRun.metal(state, args.toArray(String[]::new));
                assertEquals(2, said.exitCode, said.toString());
                assertTrue(said.err.contains(unknown), said.err);
            }
            assertEquals(HostState.READY, TestState.hosts(state).get("lab-r1-n01").state());
            metal(state, 0, "site", "set", dir.resolve("site.yaml").toString());

            // A mgmt_mac on the sheet that is another server's: the host names the fault, the others stay ready.
            Lab.Server wrong = lab.server("lab-r1-n02");
            Path fixed = Files.writeString(tmp.resolve("third.csv"), "hostname,rack,u,bmc_mac,bmc_user,bmc_password,mgmt_mac\n"
                    + wrong.hostname + "," + wrong.rackName + "," + options.u(wrong.slot) + "," + wrong.bmcMac()
                    + ",admin," + passwordRef + ",02:6d:10:00:00:09\n");
            metal(state, 0, "import", "--update", fixed.toString());
            CliRun match = metal(state, 3, "match", "--all", "--profiles", dir.resolve("profiles").toString());
            Host faulty = TestState.hosts(state).get(wrong.hostname);
            assertEquals(HostState.FAILED, faulty.state());
            assertEquals("profile lab-1u-compute matches, but mgmt_mac 02:6d:10:00:00:09 in the rack CSV is not the MAC "
                    + "of NIC mgmt0 in slot LOM (" + wrong.mgmtMac() + ")", faulty.stateReason());
            assertTrue(match.out.contains("mgmt_mac 02:6d:10:00:00:09"), match.out);
        }
    }

    @Test
    void aLabOfFiveHundredInTenRacksNumbersItsUnitsSoThatItsSheetImports() throws Exception {
        Path state = tmp.resolve("state.json");
        Lab.Options options = Lab.Options.parse(500, 10, 0, List.of(), tmp.resolve("big"), false,
                "http://127.0.0.1:9", 0, Lab.DEFAULT_IPMI_PORT, Duration.ofSeconds(1));
        assertEquals(50, options.perRack());
        assertEquals(50, options.u(50));
        try (Lab lab = Lab.start(options)) {
            CliRun run = metal(state, 0, "import", lab.rackCsv().toString());
            assertTrue(run.out.contains("500 added"), run.out);
        }
        assertEquals(47, Lab.Options.parse(24, 1, 0, List.of(), tmp, false, "http://127.0.0.1:9", 0, 1623,
                Duration.ofSeconds(1)).u(24), "a small rack keeps a free U between servers");
    }

    @Test
    void racksThatCannotHoldTheServersAreRefused() {
        CliRun zero = CliRun.metal(tmp.resolve("s.json"), "lab", "up", "--racks", "0", "--dir", tmp.toString());
        assertEquals(2, zero.exitCode, zero.toString());
        assertTrue(zero.err.contains("--racks must be at least 1"), zero.err);
        CliRun few = CliRun.metal(tmp.resolve("s.json"), "lab", "up", "--hosts", "500", "--racks", "5", "--dir",
                tmp.toString());
        assertEquals(2, few.exitCode, few.toString());
        assertTrue(few.err.contains("--racks 5 cannot hold 500 servers: a rack holds at most 60 (U 1-60); give --racks 9"
                + " or more"), few.err);
    }

    private static CliRun metal(Path state, int exit, String... args) {
        CliRun run = CliRun.metal(state, args);
        assertEquals(exit, run.exitCode, String.join(" ", args) + "\n" + run);
        return run;
    }
}

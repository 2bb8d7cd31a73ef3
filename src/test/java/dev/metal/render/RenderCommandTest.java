package dev.metal.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metal.cli.CliRun;
import dev.metal.model.Host;
import dev.metal.model.HostState;
import dev.metal.model.Provisioning;
import dev.metal.model.Secret;
import dev.metal.state.Stores;
import dev.metal.testing.TestState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RenderCommandTest {
    @TempDir
    Path dir;
    Path state;

    @BeforeEach
    void setUp() {
        state = dir.resolve("state.json");
        RenderFixture.seed(state, RenderFixture.host("r01", 1), RenderFixture.host("r01", 2), RenderFixture.host("r02", 1));
        assertEquals(0, CliRun.metal(state, "site", "set", RenderFixture.sampleSite().toString()).exitCode);
    }

    Host host(String name) {
        return Stores.open(state.toString(), "t", Clock.systemUTC()).host(name);
    }

    /** Puts the host in a provisioning attempt with a token of its own, as 'metal provision' does; returns the token. */
    String provisioning(String name) {
        return provisioning(name, Secret.randomToken().reference());
    }

    String provisioning(String name, String token) {
        Stores.open(state.toString(), "t", Clock.systemUTC()).update(tx -> {
            Host h = tx.host(name);
            for (HostState s : new HostState[] {HostState.DISCOVERED, HostState.INVENTORIED, HostState.READY}) {
                h = h.moveTo(s, "test", tx.now());
            }
            tx.put(h.moveTo(HostState.PROVISIONING, "test", tx.now()).withProvisioning(
                    new Provisioning("req-1", "debian-12", Secret.of(token), tx.now(), null, 1, null)), "provision-claimed");
            return null;
        });
        return token;
    }

    @Test
    void renderingNeverIssuesATokenAndFilesSaySo() throws IOException {
        assertEquals(null, host("r01-s01").provisioning());
        Path out = dir.resolve("out");
        CliRun run = CliRun.metal(state, "--json", "render", "ipxe", "r01-s01", "--out", out.toString());
        assertEquals(0, run.exitCode, run.toString());
        assertEquals(null, host("r01-s01").provisioning(), "render stored a token");
        assertFalse(dev.metal.testing.TestState.journal(state).contains("token-issued"));
        assertFalse(run.out.contains("tokensIssued"), run.out);
        Path script = out.resolve("boot.ipxe");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(script)));
        String first = Files.readString(script);
        assertTrue(first.contains("preseed.cfg?token=" + Renderer.NO_TOKEN + " "), first);
        for (String kind : new String[] {"preseed", "cloud-init"}) {
            assertEquals(0, CliRun.metal(state, "render", kind, "--all", "--out", dir.resolve(kind).toString()).exitCode);
        }
        assertTrue(Files.readString(dir.resolve("preseed/r01-s02/preseed.cfg")).contains("?token=" + Renderer.NO_TOKEN));
        assertTrue(TestState.hosts(state).values().stream().allMatch(h -> h.provisioning() == null), "--all stored tokens");
    }

    @Test
    void filesOfAProvisioningHostCarryItsAttemptsToken() throws IOException {
        String token = provisioning("r01-s01");
        Path out = dir.resolve("out");
        CliRun run = CliRun.metal(state, "render", "ipxe", "r01-s01", "--out", out.toString());
        assertEquals(0, run.exitCode, run.toString());
        String first = Files.readString(out.resolve("boot.ipxe"));
        assertTrue(first.contains("preseed.cfg?token=" + token + " "), first);
        assertTrue(first.contains("\nexit 1\n"), first);
        // The token never reaches output, the journal or the JSON result.
        assertFalse(run.out.contains(token) || run.err.contains(token));
        assertFalse(dev.metal.testing.TestState.journal(state).contains(token));
        assertEquals(token, host("r01-s01").provisioning().token().reference());
        CliRun again = CliRun.metal(state, "--json", "render", "ipxe", "r01-s01", "--out", out.toString());
        assertEquals(0, again.exitCode, again.toString());
        assertFalse(again.out.contains(token));
        assertEquals(first, Files.readString(out.resolve("boot.ipxe")), "rendering again gives the same file");
    }

    @Test
    void stdoutMasksTheToken() {
        String token = provisioning("r01-s02");
        for (String kind : new String[] {"preseed", "ipxe", "cloud-init"}) {
            CliRun run = CliRun.metal(state, "render", kind, "r01-s02");
            assertEquals(0, run.exitCode, run.toString());
            assertTrue(run.out.contains("token=****"), run.out);
            assertFalse(run.out.contains(token), kind + " printed the token");
            CliRun json = CliRun.metal(state, "--json", "render", kind, "r01-s02");
            assertTrue(json.out.contains("token=****"), json.out);
            assertFalse(json.out.contains(token), kind + " printed the token as JSON");
        }
        CliRun one = CliRun.metal(state, "render", "ipxe", "r01-s02");
        assertTrue(one.out.startsWith("#!ipxe\n"), "a single file prints as it is: " + one.out);
    }

    @Test
    void allWritesOneFolderPerHostAndDhcpAsOneSet() throws IOException {
        Path out = dir.resolve("all");
        CliRun run = CliRun.metal(state, "render", "networkd", "--all", "--out", out.toString());
        assertEquals(0, run.exitCode, run.toString());
        assertTrue(Files.exists(out.resolve("r02-s01/10-ext0.network")));
        assertTrue(Files.readString(out.resolve("r02-s01/10-ext0.network")).contains("Address=203.0.113.74/26"));
        CliRun dhcp = CliRun.metal(state, "render", "dhcp", "--all", "--out", out.toString());
        assertEquals(0, dhcp.exitCode, dhcp.toString());
        String dnsmasq = Files.readString(out.resolve("dnsmasq.conf"));
        assertEquals(6, dnsmasq.lines().filter(l -> l.startsWith("dhcp-host=")).count(), dnsmasq);
        assertEquals(2, CliRun.metal(state, "render", "dhcp", "--all").exitCode, "--all needs --out");
    }

    @Test
    void allPassesOverUnmatchedHostsAndOneBadHostMakesItPartial() throws IOException {
        Stores.open(state.toString(), "t", Clock.systemUTC()).update(tx -> {
            tx.put(tx.host("r01-s02").withMatch(null), "unmatched");
            return null;
        });
        Path out = dir.resolve("p");
        CliRun run = CliRun.metal(state, "render", "cloud-init", "--all", "--out", out.toString());
        assertEquals(0, run.exitCode, run.toString());
        assertTrue(run.out.contains("skipped (no profile match yet): r01-s02"), run.out);
        assertTrue(Files.exists(out.resolve("r01-s01/user-data")));
        assertFalse(Files.exists(out.resolve("r01-s02")));

        Stores.open(state.toString(), "t", Clock.systemUTC()).update(tx -> {
            tx.put(tx.host("r01-s01").withIdentity("r77", 1, tx.host("r01-s01").bmc(), tx.host("r01-s01").mgmtMac(),
                    null, java.util.List.of()), "moved to a rack the site plan does not know");
            return null;
        });
        CliRun partial = CliRun.metal(state, "render", "cloud-init", "--all", "--out", dir.resolve("q").toString());
        assertEquals(3, partial.exitCode, partial.toString());
        assertTrue(partial.out.contains("failed: r01-s01"), partial.out);
        CliRun single = CliRun.metal(state, "render", "preseed", "r01-s02");
        assertEquals(2, single.exitCode);
        assertEquals("metal: r01-s02 has no profile match; run 'metal match' first\n", single.err);
    }

    @Test
    void unknownHostKindAndMissingSitePlanAreUserErrors(@TempDir Path other) {
        CliRun unknown = CliRun.metal(state, "render", "ipxe", "nope");
        assertEquals(2, unknown.exitCode);
        assertEquals("metal: unknown host nope\n", unknown.err);
        CliRun kind = CliRun.metal(state, "render", "kickstart", "r01-s01");
        assertEquals(2, kind.exitCode);
        assertTrue(kind.err.contains("unknown kind 'kickstart' (one of preseed, ipxe, networkd, cloud-init, dhcp, frr, deploy)"));
        CliRun noSite = CliRun.metal(other.resolve("s.json"), "render", "ipxe", "x");
        assertEquals(2, noSite.exitCode);
        assertTrue(noSite.err.contains("no site plan yet"), noSite.err);
        CliRun os = CliRun.metal(state, "render", "ipxe", "r01-s01", "--os", "debian-13");
        assertEquals(2, os.exitCode);
        assertTrue(os.err.contains("OS debian-13 is not in the site plan's catalog (debian-12)"), os.err);
    }

    @Test
    void nothingUnsafeReachesShellQuotesOrUrls() {
        CliRun url = CliRun.metal(state, "render", "preseed", "r01-s01", "--boot-url", "http://x/';reboot;'");
        assertEquals(2, url.exitCode, url.toString());
        provisioning("r01-s01", "it's-secret");
        CliRun token = CliRun.metal(state, "render", "preseed", "r01-s01", "--out", dir.resolve("t").toString());
        assertEquals(2, token.exitCode, token.toString());
        assertEquals("metal: r01-s01: its boot token has characters that are not URL-safe\n", token.err);
    }

    @Test
    void frrRendersSwitchesByName() {
        CliRun tor = CliRun.metal(state, "render", "frr", "r02-tor");
        assertEquals(0, tor.exitCode, tor.toString());
        assertTrue(tor.out.contains("router bgp 65101\n"), tor.out);
        assertTrue(tor.out.contains(" neighbor swp51 interface peer-group fabric\n"), tor.out);
        CliRun server = CliRun.metal(state, "render", "frr", "r02-s01");
        assertTrue(server.out.contains("router bgp 4200000002\n"), server.out);
    }

    @Test
    void bootUrlOptionReplacesTheSitePlans() {
        CliRun run = CliRun.metal(state, "render", "ipxe", "r01-s01", "--boot-url", "http://127.0.0.1:9000/");
        assertTrue(run.out.contains("url=http://127.0.0.1:9000/config/r01-s01/preseed.cfg?token=****"), run.out);
    }

    @Test
    void templatesExportOverrideAndMissingVariable() throws IOException {
        Path t = dir.resolve("templates");
        CliRun export = CliRun.metal(state, "template", "export", t.toString());
        assertEquals(0, export.exitCode, export.toString());
        try (Stream<Path> s = Files.list(t)) {
            assertEquals(Templates.NAMES.size(), s.count());
        }
        assertEquals(2, CliRun.metal(state, "template", "export", t.toString()).exitCode, "no overwrite without --force");
        assertEquals(0, CliRun.metal(state, "template", "export", t.toString(), "--force").exitCode);

        Files.writeString(t.resolve("boot.ipxe.mustache"), "#!ipxe\n# custom for {{hostname}}\nchain {{bootUrl}}/x\n");
        CliRun custom = CliRun.metal(state, "render", "ipxe", "r01-s01", "--templates", t.toString());
        assertEquals("#!ipxe\n# custom for r01-s01\nchain http://10.10.0.2:8080/x\n", custom.out);
        CliRun list = CliRun.metal(state, "template", "list", "--templates", t.toString());
        assertTrue(list.out.contains("boot.ipxe         " + t.resolve("boot.ipxe.mustache")), list.out);

        Files.writeString(t.resolve("boot.ipxe.mustache"), "#!ipxe\n\nkernel {{os.kernal}}\n");
        CliRun missing = CliRun.metal(state, "render", "ipxe", "r01-s01", "--templates", t.toString());
        assertEquals(2, missing.exitCode, missing.toString());
        assertEquals("metal: template boot.ipxe line 3: variable 'os.kernal' is not defined\n", missing.err);
        assertEquals("", missing.out);
    }

    @Test
    void templateListShowsBuiltIns() {
        CliRun list = CliRun.metal(state, "template", "list");
        assertEquals(0, list.exitCode);
        for (String n : Templates.NAMES) assertTrue(list.out.contains(n), n);
        assertTrue(list.out.contains("built-in"));
        assertNotNull(Templates.builtIn("preseed.cfg"));
    }

    @Test
    void aHostWhoseNameWithTheDomainIsTooLongForDnsIsRefusedByName() throws IOException {
        // The rack CSV takes any number of 63-character labels; with the domain this one is 272 characters.
        String name = String.join(".", SiteVariants.label("r01-s03"), SiteVariants.label("b"), SiteVariants.label("c"),
                SiteVariants.label("d"));
        Path csv = dir.resolve("rack.csv");
        Files.writeString(csv, "hostname,rack,u,bmc_mac,bmc_user,bmc_password,mgmt_mac\n"
                + name + ",r01,3,0c:c4:7b:01:03:01,admin,env:BMC_PASSWORD,0c:c4:7a:01:03:10\n");
        assertEquals(0, CliRun.metal(state, "import", csv.toString()).exitCode);
        RenderFixture.seed(state, RenderFixture.host("r01", 3, name));
        CliRun run = CliRun.metal(state, "render", "cloud-init", name);
        assertEquals(2, run.exitCode, run.toString());
        assertTrue(run.err.contains(name + ": its name with the domain lab1.example.net is 272 characters; "
                + "DNS names hold at most 253, and labels 63"), run.err);
        CliRun frr = CliRun.metal(state, "render", "frr", name);
        assertEquals(2, frr.exitCode, frr.toString());
    }
}

package dev.metal.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metal.cli.CliRun;
import dev.metal.model.BadInputException;
import dev.metal.model.Site;
import dev.metal.state.Store;
import dev.metal.state.Stores;
import dev.metal.testing.TestState;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SitePlansTest {
    @Test
    void sampleSitePlanReads() {
        Site site = RenderFixture.site();
        assertEquals("lab1", site.name());
        assertEquals(2, site.racks().size());
        assertEquals("203.0.113.0/26", site.rack("r01").publicNet().ipv4());
        assertEquals("2001:db8:100:2::1", site.rack("r02").publicNet().gateway6());
        assertTrue(site.os().containsKey("debian-12"));
        assertEquals(65100, site.asn().tor());
        assertEquals(List.of("ext0", "ext1"), site.fabric().serverPorts());
    }

    @Test
    void everyProblemIsReportedWithItsLine() throws IOException {
        String text = Files.readString(RenderFixture.sampleSite())
                .replace("ipv4: 203.0.113.0/26,", "ipv4: 203.0.113.0/33,")
                .replace("mgmt: {ipv4: 10.10.2.0/24, gateway4: 10.10.2.1}", "mgmt: {ipv4: 10.10.2.0/24, gateway4: 10.10.3.1}")
                .replace("bmc: {ipv4: 10.20.2.0/24", "bmc: {ipv4: 10.20.1.128/25")
                .replace("first_host: 10", "first_host: 10\nfirst_hots: 12")
                .replace("boot_url: http://10.10.0.2:8080", "boot_url: ftp://10.10.0.2");
        BadInputException e = assertThrows(BadInputException.class,
                () -> SitePlans.parse(new StringReader(text), "site.yaml"));
        List<String> p = e.problems();
        String all = String.join("\n", p);
        assertTrue(all.contains("site.yaml line 6: 'boot_url' must be an http:// or https:// URL"), all);
        assertTrue(all.contains("site.yaml line 16: unknown key 'first_hots'"), all);
        assertTrue(all.matches("(?s).*site\\.yaml line 31: r01 public ipv4: '203.0.113.0/33' has prefix out of range.*"), all);
        assertTrue(all.matches("(?s).*line 37: r02 mgmt gateway4 10.10.3.1 is not in 10.10.2.0/24.*"), all);
        assertTrue(all.matches("(?s).*line 38: r02 bmc ipv4 10.20.1.128/25 overlaps r01 bmc ipv4 10.20.1.0/24.*"), all);
        assertTrue(all.contains("r02 bmc gateway4 10.20.2.1 is not in 10.20.1.128/25"), all);
        assertEquals(6, p.size(), all);
    }

    @Test
    void fabricLoopbacksMustHoldEverySwitch() throws IOException {
        String text = Files.readString(RenderFixture.sampleSite()).replace("loopbacks: 10.255.0.0/24", "loopbacks: 10.255.0.0/30");
        BadInputException e = assertThrows(BadInputException.class,
                () -> SitePlans.parse(new StringReader(text), "site.yaml"));
        assertEquals(List.of("site.yaml line 21: fabric loopbacks 10.255.0.0/30 has too few addresses for 2 spines and 2 ToRs"),
                e.problems());
    }

    @Test
    void yamlSyntaxErrorNamesTheLine() {
        BadInputException e = assertThrows(BadInputException.class,
                () -> SitePlans.parse(new StringReader("name: a\nracks: [\n  - x: [\n"), "s.yaml"));
        assertTrue(e.getMessage().startsWith("s.yaml line "), e.getMessage());
        assertTrue(e.getMessage().contains("not valid YAML"), e.getMessage());
    }

    @Test
    void siteSetStoresThePlanAndShowPrintsIt(@TempDir Path dir) {
        Path state = dir.resolve("state.json");
        RenderFixture.seed(state, RenderFixture.host("r01", 1), RenderFixture.host("r09", 1));
        CliRun set = CliRun.metal(state, "site", "set", RenderFixture.sampleSite().toString());
        assertEquals(0, set.exitCode, set.toString());
        assertTrue(set.out.contains("site lab1 stored: 2 racks, 1 OS; 1 hosts got new addresses"), set.out);
        assertTrue(set.out.contains("not placed: r09-s01: rack r09 is not in the site plan"), set.out);
        assertEquals("lab1", Stores.open(state.toString(), "t", Clock.systemUTC()).site().name());
        assertEquals("203.0.113.10/26", Stores.open(state.toString(), "t", Clock.systemUTC()).host("r01-s01").addresses().get("public.ipv4"));

        CliRun show = CliRun.metal(state, "site", "show");
        assertEquals(0, show.exitCode, show.toString());
        assertTrue(show.out.contains("r02   r02-tor  203.0.113.64/26 gw 203.0.113.65"), show.out);
        assertTrue(show.out.contains("debian-12"), show.out);
        CliRun json = CliRun.metal(state, "--json", "site", "show");
        assertTrue(json.out.contains("\"bootUrl\" : \"http://10.10.0.2:8080\""), json.out);
    }

    @Test
    void badSiteFileChangesNothingAndExitsTwo(@TempDir Path dir) throws IOException {
        Path state = dir.resolve("state.json");
        Path bad = dir.resolve("site.yaml");
        Files.writeString(bad, "name: x\ndomain: example.net\n");
        CliRun run = CliRun.metal(state, "site", "set", bad.toString());
        assertEquals(2, run.exitCode, run.toString());
        assertTrue(run.err.contains("metal: " + bad + " line 1: missing 'boot_url'"), run.err);
        assertNull(Stores.open(state.toString(), "t", Clock.systemUTC()).site());
        assertFalse(CliRun.metal(state, "site", "show").exitCode == 0);
    }

    @Test
    void aDuplicateKeyIsAnErrorNamingBothLines(@TempDir Path dir) throws IOException {
        // YAML leaves duplicate keys to the reader; taking the last one silently hid typos like a second 'dns'.
        String text = Files.readString(RenderFixture.sampleSite())
                .replace("first_host: 10\n", "first_host: 10\ndns: [192.0.2.99]\n")
                .replace("mgmt: {ipv4: 10.10.2.0/24, gateway4: 10.10.2.1}",
                        "mgmt: {ipv4: 10.10.2.0/24, gateway4: 10.10.2.1, ipv4: 10.10.9.0/24}");
        Path file = dir.resolve("site.yaml");
        Files.writeString(file, text);
        BadInputException e = assertThrows(BadInputException.class, () -> SitePlans.read(file));
        assertEquals(List.of(file + " line 16: duplicate key 'dns' (first on line 7)",
                file + " line 37: duplicate key 'ipv4' (first on line 37)"), e.problems());

        Path state = dir.resolve("state.json");
        CliRun run = CliRun.metal(state, "site", "set", file.toString());
        assertEquals(2, run.exitCode, run.toString());
        assertTrue(run.err.contains(file + " line 16: duplicate key 'dns'"), run.err);
        assertNull(site(state));
    }

    @Test
    void aSubnetTooSmallForTheHostsOfItsRackIsRefused(@TempDir Path dir) throws IOException {
        // Checked against the hosts the state holds when the plan is set: r01 has 6, its mgmt /28 holds 5 from .10.
        Path state = dir.resolve("state.json");
        RenderFixture.seed(state, java.util.stream.IntStream.rangeClosed(1, 6)
                .mapToObj(i -> RenderFixture.host("r01", i)).toArray(dev.metal.model.Host[]::new));
        Path file = dir.resolve("site.yaml");
        Files.writeString(file, Files.readString(RenderFixture.sampleSite())
                .replace("mgmt: {ipv4: 10.10.1.0/24, gateway4: 10.10.1.1}", "mgmt: {ipv4: 10.10.1.0/28, gateway4: 10.10.1.1}"));
        CliRun run = CliRun.metal(state, "site", "set", file.toString());
        assertEquals(2, run.exitCode, run.toString());
        assertTrue(run.err.contains(file + ": rack r01 has 6 hosts, but its mgmt ipv4 10.10.1.0/28 has room for 5"),
                run.err);
        assertNull(site(state), "nothing is stored");
        assertTrue(TestState.hosts(state).get("r01-s01").addresses().isEmpty(), "no host got addresses");

        // Five hosts fit: the same plan is taken, and every host has its addresses.
        Path five = dir.resolve("five.json");
        RenderFixture.seed(five, java.util.stream.IntStream.rangeClosed(1, 5)
                .mapToObj(i -> RenderFixture.host("r01", i)).toArray(dev.metal.model.Host[]::new));
        CliRun ok = CliRun.metal(five, "site", "set", file.toString());
        assertEquals(0, ok.exitCode, ok.toString());
        assertEquals("10.10.1.14/28", TestState.hosts(five).get("r01-s05").addresses().get("mgmt.ipv4"));
    }

    private static final String SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    /** The sample plan with these lines added to its OS catalog. */
    private static String withOs(String entries) throws IOException {
        return Files.readString(RenderFixture.sampleSite()).replace("\nos:\n", "\nos:\n" + entries);
    }

    @Test
    void imageEntriesAreRead() throws IOException {
        Site site = SitePlans.parse(new StringReader(withOs("""
                  cloud:
                    kernel: http://10.10.0.2:8080/files/agent/vmlinuz
                    initrd: http://10.10.0.2:8080/files/agent/initrd
                    image: images/cloud.raw.xz
                    sha256: %s
                    root_partition: 2
                  remote:
                    kernel: http://10.10.0.2:8080/files/agent/vmlinuz
                    initrd: http://10.10.0.2:8080/files/agent/initrd
                    image: https://images.example.net/os/remote.raw.gz?v=1
                    sha256: %s
                """.formatted(SHA, SHA.toUpperCase()))), "site.yaml");
        Site.Os cloud = site.os().get("cloud");
        assertTrue(cloud.hasImage());
        assertTrue(cloud.imageIsFile());
        assertEquals("xz", cloud.imageFormat());
        assertEquals(2, cloud.rootPartition());
        assertNull(cloud.installer());
        assertEquals("http://10.10.0.2:8080/files/images/cloud.raw.xz", SitePlans.imageUrl(cloud, "http://10.10.0.2:8080/"));
        Site.Os remote = site.os().get("remote");
        assertEquals("gz", remote.imageFormat());
        assertEquals(SHA, remote.sha256(), "kept in lower case, as sha256sum prints it");
        assertNull(remote.rootPartition());
        assertEquals("https://images.example.net/os/remote.raw.gz?v=1", SitePlans.imageUrl(remote, "http://x"));
        assertFalse(site.os().get("debian-12").hasImage());
    }

    @Test
    void badImageEntriesNameTheFileLineAndOs() throws IOException {
        String text = withOs("""
                  no-sum:
                    kernel: http://k/vmlinuz
                    initrd: http://k/initrd
                    image: no-sum.raw
                  qcow:
                    kernel: http://k/vmlinuz
                    initrd: http://k/initrd
                    image: https://cloud.example.net/x.qcow2
                    sha256: %s
                  short-sum:
                    kernel: http://k/vmlinuz
                    initrd: http://k/initrd
                    image: ../etc/shadow.raw
                    sha256: abc123
                    root_partition: 0
                  installer-sum:
                    kernel: http://k/vmlinuz
                    initrd: http://k/initrd
                    installer: http://deb.debian.org/debian
                    sha256: %s
                """.formatted(SHA, SHA));
        BadInputException e = assertThrows(BadInputException.class,
                () -> SitePlans.parse(new StringReader(text), "site.yaml"));
        String all = String.join("\n", e.problems());
        assertTrue(all.contains("site.yaml line 40: os no-sum: an image needs its 'sha256' (sha256sum of no-sum.raw)"), all);
        assertTrue(all.contains("site.yaml line 46: os qcow: image 'https://cloud.example.net/x.qcow2' must be a raw disk "
                + "image: .raw, .raw.gz or .raw.xz"), all);
        assertTrue(all.contains("site.yaml line 51: os short-sum: image '../etc/shadow.raw' must be an http(s) URL or a "
                + "relative path under the boot server's files folder"), all);
        assertTrue(all.contains("site.yaml line 52: os short-sum: 'sha256' must be 64 hex digits, not 'abc123'"), all);
        assertTrue(all.contains("site.yaml line 53: 'root_partition' must be between 1 and 128"), all);
        assertTrue(all.contains("site.yaml line 58: os installer-sum: 'sha256' belongs to an image; this OS has no 'image'"), all);
        assertEquals(6, e.problems().size(), all);
    }

    @Test
    void siteSetWantsAnImageFileInTheFilesFolder(@TempDir Path dir) throws IOException {
        Path state = dir.resolve("state.json");
        Path file = dir.resolve("site.yaml");
        Files.writeString(file, withOs("""
                  lab-image:
                    kernel: http://10.10.0.2:8080/files/agent/vmlinuz
                    initrd: http://10.10.0.2:8080/files/agent/initrd
                    image: lab-image.raw.xz
                    sha256: %s
                """.formatted(SHA)));
        CliRun missing = CliRun.metal(state, "site", "set", file.toString());
        assertEquals(2, missing.exitCode, missing.toString());
        assertTrue(missing.err.contains("metal: " + file + ": os lab-image: image lab-image.raw.xz is not a file in "
                + dir.resolve("files") + " (the boot server's --files folder)"), missing.err);
        assertNull(site(state));

        Path files = dir.resolve("images");
        Files.createDirectories(files);
        Files.write(files.resolve("lab-image.raw.xz"), new byte[] {1});
        CliRun ok = CliRun.metal(state, "site", "set", "--files", files.toString(), file.toString());
        assertEquals(0, ok.exitCode, ok.toString());
        assertEquals(SHA, site(state).os().get("lab-image").sha256());
        CliRun show = CliRun.metal(state, "site", "show");
        assertTrue(show.out.contains("image lab-image.raw.xz sha256 9f86d081884c..."), show.out);
    }

    private static Site site(Path state) {
        try (Store store = TestState.open(state)) {
            return store.site();
        }
    }
}

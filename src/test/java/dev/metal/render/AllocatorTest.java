package dev.metal.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metal.model.Host;
import dev.metal.model.Site;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AllocatorTest {
    final Site site = RenderFixture.site();

    static List<Host> apply(List<Host> hosts, Allocator.Outcome o) {
        List<Host> out = new ArrayList<>();
        for (Host h : hosts) {
            Map<String, String> a = o.changed().get(h.hostname());
            out.add(a == null ? h : h.withAddresses(a));
        }
        return out;
    }

    @Test
    void noTwoHostsShareAnAddressOrAsn() {
        List<Host> hosts = new ArrayList<>();
        for (int i = 1; i <= 40; i++) hosts.add(RenderFixture.host("r01", i));
        for (int i = 1; i <= 40; i++) hosts.add(RenderFixture.host("r02", i));
        Allocator.Outcome o = Allocator.allocate(site, hosts);
        assertEquals(List.of(), o.problems());
        Set<String> seen = new HashSet<>();
        for (Map<String, String> a : o.changed().values()) {
            for (String key : List.of("public.ipv4", "public.ipv6", "mgmt.ipv4", "bmc.ipv4", "bgp.asn")) {
                assertTrue(seen.add(a.get(key)), "shared " + key + " " + a.get(key));
            }
            assertFalse(a.get("public.ipv4").startsWith("203.0.113.1/"), "gateway taken");
        }
        assertEquals(80, o.changed().size());
        assertEquals("203.0.113.10/26", o.changed().get("r01-s01").get("public.ipv4"));
        assertEquals("2001:db8:100:2::a/64", o.changed().get("r02-s01").get("public.ipv6"));
        assertEquals("10.20.1.11/24", o.changed().get("r01-s02").get("bmc.ipv4"));
    }

    @Test
    void hostsKeepTheirAddressesWhenOthersArrive() {
        List<Host> first = apply(List.of(RenderFixture.host("r01", 5)), Allocator.allocate(site, List.of(RenderFixture.host("r01", 5))));
        String before = first.get(0).addresses().get("public.ipv4");
        List<Host> more = new ArrayList<>(first);
        more.add(RenderFixture.host("r01", 1));
        Allocator.Outcome o = Allocator.allocate(site, more);
        assertFalse(o.changed().containsKey("r01-s05"), "an allocated host does not move");
        assertEquals(before, "203.0.113.10/26");
        assertEquals("203.0.113.11/26", o.changed().get("r01-s01").get("public.ipv4"));
        assertTrue(Allocator.allocate(site, apply(more, o)).changed().isEmpty(), "allocating again changes nothing");
    }

    @Test
    void aHostThatMovesRackGetsNewAddresses() {
        Host h = RenderFixture.host("r01", 3);
        h = h.withAddresses(Allocator.allocate(site, List.of(h)).changed().get(h.hostname()));
        Host moved = h.withIdentity("r02", 3, h.bmc(), h.mgmtMac(), h.serial(), h.tags());
        Map<String, String> a = Allocator.allocate(site, List.of(moved)).changed().get(h.hostname());
        assertEquals("203.0.113.74/26", a.get("public.ipv4"));
        assertEquals("r02", a.get("rack"));
        assertEquals(h.addresses().get("bgp.asn"), a.get("bgp.asn"), "the ASN stays");
    }

    @Test
    void aFullRackIsReported() {
        // r01 public is a /26: indexes 10..62 fit, so 53 hosts; the 54th has no room.
        List<Host> hosts = new ArrayList<>();
        for (int i = 1; i <= 54; i++) hosts.add(RenderFixture.host("r01", i));
        Allocator.Outcome o = Allocator.allocate(site, hosts);
        assertEquals(53, o.changed().size());
        assertEquals(List.of("r01-s54: rack r01 has no free address left"), o.problems());
    }

    @Test
    void aSmallIpv6PrefixLimitsTheRackToo() throws java.io.IOException {
        // Before, only IPv4 networks set the rack's capacity: host 7 got 2001:db8:100:1::10, outside the /124.
        Site small = SitePlans.parse(new java.io.StringReader(java.nio.file.Files.readString(RenderFixture.sampleSite())
                .replace("\"2001:db8:100:1::/64\"", "\"2001:db8:100:1::/124\"")), "site.yaml");
        List<Host> hosts = new ArrayList<>();
        for (int i = 1; i <= 7; i++) hosts.add(RenderFixture.host("r01", i));
        assertEquals(List.of("rack r01 has 7 hosts, but its public ipv6 2001:db8:100:1::/124 has room for 6 "
                + "(from first_host 10, less gateways)"), Allocator.overfull(small, hosts));
        Allocator.Outcome o = Allocator.allocate(small, hosts);
        assertEquals(List.of("r01-s07: rack r01 has no free address left"), o.problems());
        assertEquals("2001:db8:100:1::f/124", o.changed().get("r01-s06").get("public.ipv6"));
        assertEquals(List.of(), Allocator.overfull(small, hosts.subList(0, 6)));
    }
}

package dev.metal.render;

import dev.metal.lab.DemoKit;
import dev.metal.model.Host;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Site plans that 'site set' accepts, varied along everything that changes the shape of a
 * rendered file: public IPv6, DNS servers, SSH keys, the number of racks and the length of
 * host names. Each dimension has few values, and the generated plans hold every pair of
 * values of any two dimensions at least once (a pairwise cover: 12 plans instead of 144).
 * The sample plan and the plan the lab writes for itself come on top, as users meet them.
 */
final class SiteVariants {
    private SiteVariants() {}

    /** Public IPv6 on every rack, on every other rack (the first has none), or on none. */
    enum Ipv6 { DUAL, MIXED, NONE }

    /** Resolvers in the plan: one of each family, one IPv4, one IPv6, or none at all. */
    enum Dns { TWO, ONE_V4, ONE_V6, NONE }

    static final String DOMAIN = "site.example.net";
    static final String KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGnqDEZ0W3U9rdlPMDfJSZpDe6X3S1FzLTkzHl0dyW8R ops@example.net";

    /**
     * One plan and the hosts placed with it. {@code yaml} is the site file; {@code racks} the
     * rack names in plan order; {@code hosts} the hosts to import, match and render.
     */
    record Variant(String name, Ipv6 ipv6, Dns dns, boolean sshKeys, int rackCount, boolean longNames, String yaml,
                   List<String> racks, List<Host> hosts) {
        /** Whether the rack's public network has IPv6. */
        boolean hasIpv6(String rack) {
            int i = racks.indexOf(rack);
            return ipv6 == Ipv6.DUAL || (ipv6 == Ipv6.MIXED && i % 2 == 1);
        }
    }

    /** ipv6, dns, SSH keys, racks, long names: every pair of two dimensions' values appears. */
    static final Object[][] PAIRS = {
        {Ipv6.DUAL, Dns.TWO, true, 2, false},
        {Ipv6.DUAL, Dns.ONE_V4, false, 1, true},
        {Ipv6.DUAL, Dns.ONE_V6, true, 8, true},
        {Ipv6.DUAL, Dns.NONE, false, 1, false},
        {Ipv6.MIXED, Dns.TWO, false, 8, true},
        {Ipv6.MIXED, Dns.ONE_V4, true, 2, false},
        {Ipv6.MIXED, Dns.ONE_V6, false, 2, false},
        {Ipv6.MIXED, Dns.NONE, true, 8, true},
        {Ipv6.NONE, Dns.TWO, true, 1, true},
        {Ipv6.NONE, Dns.ONE_V4, false, 8, false},
        {Ipv6.NONE, Dns.ONE_V6, true, 1, false},
        {Ipv6.NONE, Dns.NONE, false, 2, true},
    };

    /** The sample plan, the lab's own, then the pairwise cover. */
    static List<Variant> all(Path scratch) {
        List<Variant> out = new ArrayList<>();
        out.add(sample());
        out.add(lab(scratch));
        for (int i = 0; i < PAIRS.length; i++) {
            Object[] p = PAIRS[i];
            out.add(generated(String.format("pairs-%02d", i + 1), (Ipv6) p[0], (Dns) p[1], (Boolean) p[2],
                    (Integer) p[3], (Boolean) p[4]));
        }
        return out;
    }

    static Variant sample() {
        try {
            String yaml = Files.readString(RenderFixture.sampleSite());
            List<String> racks = List.of("r01", "r02");
            return new Variant("sample", Ipv6.DUAL, Dns.TWO, true, 2, false, yaml, racks, hosts(racks, false, "lab1.example.net"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The plan 'metal lab up' writes: no SSH keys, one IPv4 resolver, IPv6 on ULA prefixes. */
    static Variant lab(Path scratch) {
        try {
            Path dir = Files.createDirectories(scratch.resolve("lab-kit"));
            DemoKit.write(dir, "http://10.10.0.2:8080", 2);
            String yaml = Files.readString(dir.resolve("site.yaml"));
            List<String> racks = List.of("lab-r1", "lab-r2");
            return new Variant("lab", Ipv6.DUAL, Dns.ONE_V4, false, 2, false, yaml, racks, hosts(racks, false, "demo.metal.test"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Variant generated(String name, Ipv6 ipv6, Dns dns, boolean sshKeys, int rackCount, boolean longNames) {
        List<String> racks = new ArrayList<>();
        for (int r = 1; r <= rackCount; r++) racks.add(String.format("r%02d", r));
        Variant shape = new Variant(name, ipv6, dns, sshKeys, rackCount, longNames, null, racks, List.of());
        StringBuilder y = new StringBuilder();
        y.append("name: ").append(name).append('\n');
        y.append("domain: ").append(DOMAIN).append('\n');
        y.append("boot_url: http://10.10.0.2:8080\n");
        switch (dns) {
            case TWO -> y.append("dns: [192.0.2.53, \"2001:db8:53::53\"]\n");
            case ONE_V4 -> y.append("dns: [192.0.2.53]\n");
            case ONE_V6 -> y.append("dns: [\"2001:db8:53::53\"]\n");
            case NONE -> { }
        }
        if (sshKeys) y.append("ssh_keys:\n  - ").append(KEY).append('\n');
        y.append("nics: {public: ext0, mgmt: mgmt0}\n");
        y.append("asn: {spine: 65000, tor: 65100, server: 4200000000}\n");
        y.append("fabric:\n  loopbacks: 10.255.0.0/24\n  spines: [spine01, spine02]\n");
        y.append("  ports: {server: [ext0, ext1], tor: [swp1, swp2, swp51, swp52], spine: [swp1, swp2]}\n");
        y.append("racks:\n");
        for (int r = 1; r <= rackCount; r++) {
            String rack = racks.get(r - 1);
            y.append("  - name: ").append(rack).append('\n');
            y.append(String.format("    public: {ipv4: 10.100.%d.0/24, gateway4: 10.100.%d.1", r, r));
            if (shape.hasIpv6(rack)) y.append(String.format(", ipv6: \"2001:db8:100:%x::/64\", gateway6: \"2001:db8:100:%x::1\"", r, r));
            y.append("}\n");
            y.append(String.format("    mgmt: {ipv4: 10.101.%d.0/24, gateway4: 10.101.%d.1}%n", r, r));
            y.append(String.format("    bmc: {ipv4: 10.102.%d.0/24, gateway4: 10.102.%d.1}%n", r, r));
        }
        y.append("os:\n  debian-12:\n");
        y.append("    kernel: http://deb.debian.org/debian/dists/bookworm/main/installer-amd64/current/images/netboot/debian-installer/amd64/linux\n");
        y.append("    initrd: http://deb.debian.org/debian/dists/bookworm/main/installer-amd64/current/images/netboot/debian-installer/amd64/initrd.gz\n");
        y.append("    cmdline: auto=true priority=critical console=ttyS0,115200n8\n");
        y.append("    installer: http://deb.debian.org/debian\n");
        return new Variant(name, ipv6, dns, sshKeys, rackCount, longNames, y.toString(), racks,
                hosts(racks, longNames, DOMAIN));
    }

    /**
     * Two hosts in the first rack and one in the last (one rack: two hosts). Long names are
     * the longest the rack CSV takes: a label of 63 characters, and a dotted name whose
     * FQDN is 253 characters, the most DNS allows.
     */
    static List<Host> hosts(List<String> racks, boolean longNames, String domain) {
        String first = racks.get(0);
        String last = racks.get(racks.size() - 1);
        List<Host> hosts = new ArrayList<>();
        hosts.add(RenderFixture.host(first, 1, longNames ? label(first + "-s01") : first + "-s01"));
        hosts.add(RenderFixture.host(first, 2, longNames ? dotted(first + "-s02", domain) : first + "-s02"));
        if (racks.size() > 1) hosts.add(RenderFixture.host(last, 1, longNames ? label(last + "-s01") : last + "-s01"));
        return hosts;
    }

    /** A 63-character host name label starting with {@code start}. */
    static String label(String start) {
        return pad(start + "-", 63);
    }

    /** A host name of 63-character labels whose name with the domain is exactly 253 characters. */
    static String dotted(String start, String domain) {
        int length = 253 - 1 - domain.length();
        StringBuilder b = new StringBuilder(label(start));
        while (b.length() + 1 + 63 < length) b.append('.').append(label("part" + b.length()));
        b.append('.').append(pad("end", length - b.length() - 1));
        return b.toString();
    }

    private static String pad(String start, int length) {
        StringBuilder b = new StringBuilder(start);
        for (int i = 0; b.length() < length; i++) b.append((char) ('a' + i % 26));
        return b.substring(0, length);
    }
}

package dev.metal.bench;

import dev.metal.model.Bmc;
import dev.metal.model.Host;
import dev.metal.model.ProfileMatch;
import dev.metal.model.Provisioning;
import dev.metal.model.Secret;
import dev.metal.model.Site;
import dev.metal.render.Allocator;
import dev.metal.render.Renderer;
import dev.metal.render.SitePlans;
import dev.metal.state.Stores;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders every kind for a generated fleet (default 10,000 hosts in 250 racks) in-process
 * and prints the time per kind. With a state file argument it also writes that fleet and
 * its site plan there, for timing the real 'metal render KIND --all --out' (see render.sh).
 *
 * Usage: RenderBench [HOSTS] [STATE_FILE]
 */
public final class RenderBench {
    static final int PER_RACK = 40;

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int racks = (count + PER_RACK - 1) / PER_RACK;
        String yaml = siteYaml(racks);
        Site site = SitePlans.parse(new StringReader(yaml), "bench-site.yaml");
        List<Host> hosts = new ArrayList<>();
        for (int i = 0; i < count; i++) hosts.add(host(i / PER_RACK, i % PER_RACK + 1));

        if (args.length > 1) {
            Path state = Path.of(args[1]);
            Files.writeString(state.resolveSibling("bench-site.yaml"), yaml);
            Stores.open(state.toString(), "bench", Clock.systemUTC()).update(tx -> {
                for (Host h : hosts) tx.put(h, "seeded");
                return null;
            });
            System.out.printf("wrote %d hosts to %s and the site plan to %s%n", count, state,
                    state.resolveSibling("bench-site.yaml"));
            return;
        }

        for (int round = 1; round <= 2; round++) {
            long t0 = System.nanoTime();
            Allocator.Outcome a = Allocator.allocate(site, hosts);
            List<Host> placed = new ArrayList<>(hosts.size());
            for (Host h : hosts) placed.add(h.withAddresses(a.changed().get(h.hostname())));
            long tAlloc = System.nanoTime() - t0;
            Renderer renderer = new Renderer((Path) null);
            Map<String, Long> perKind = new LinkedHashMap<>();
            long files = 0;
            long bytes = 0;
            long start = System.nanoTime();
            for (Renderer.Kind k : Renderer.Kind.values()) {
                long k0 = System.nanoTime();
                if (k == Renderer.Kind.DHCP) {
                    for (String c : renderer.dhcp(placed, site).values()) {
                        files++;
                        bytes += c.length();
                    }
                } else {
                    for (Host h : placed) {
                        for (String c : renderer.render(k, h, site, Renderer.Options.REAL).values()) {
                            files++;
                            bytes += c.length();
                        }
                    }
                    if (k == Renderer.Kind.FRR) {
                        for (String sw : Renderer.switches(site)) files += renderer.renderSwitch(sw, site).size();
                    }
                }
                perKind.put(k.label, (System.nanoTime() - k0) / 1_000_000);
            }
            long total = (System.nanoTime() - start) / 1_000_000;
            System.out.printf("round %d: %d hosts, allocate %d ms; render all kinds %d ms (%d files, %.1f MB)%n",
                    round, count, tAlloc / 1_000_000, total, files, bytes / 1e6);
            perKind.forEach((k, ms) -> System.out.printf("  %-10s %6d ms%n", k, ms));
        }
    }

    static String siteYaml(int racks) {
        StringBuilder b = new StringBuilder("""
                name: bench
                domain: bench.example.net
                boot_url: http://10.0.0.2:8080
                dns: [192.0.2.53]
                ssh_keys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGnqDEZ0W3U9rdlPMDfJSZpDe6X3S1FzLTkzHl0dyW8R ops"]
                nics: {public: ext0, mgmt: mgmt0}
                asn: {spine: 65000, tor: 65100, server: 4200000000}
                fabric:
                  loopbacks: 10.255.0.0/16
                  spines: [spine01, spine02, spine03, spine04]
                  ports: {server: [ext0, ext1], tor: [swp1, swp2, swp51, swp52], spine: [swp1, swp2]}
                os:
                  debian-12:
                    kernel: http://deb.debian.org/debian/dists/bookworm/main/installer-amd64/current/images/netboot/debian-installer/amd64/linux
                    initrd: http://deb.debian.org/debian/dists/bookworm/main/installer-amd64/current/images/netboot/debian-installer/amd64/initrd.gz
                    installer: http://deb.debian.org/debian
                racks:
                """);
        for (int r = 0; r < racks; r++) {
            int p = r * 64; // one /26 of 198.18.0.0/15 per rack
            String pub = "198." + (18 + p / 65536) + "." + (p / 256 % 256) + "." + (p % 256);
            String gw = "198." + (18 + p / 65536) + "." + (p / 256 % 256) + "." + (p % 256 + 1);
            String mgmt = "10." + (64 + r / 256) + "." + (r % 256);
            String bmc = "10." + (128 + r / 256) + "." + (r % 256);
            b.append(String.format("  - name: r%04d%n    public: {ipv4: %s/26, gateway4: %s, ipv6: \"2001:db8:%x::/64\", "
                    + "gateway6: \"2001:db8:%x::1\"}%n    mgmt: {ipv4: %s.0/24, gateway4: %s.1}%n"
                    + "    bmc: {ipv4: %s.0/24, gateway4: %s.1}%n", r, pub, gw, r, r, mgmt, mgmt, bmc, bmc));
        }
        return b.toString();
    }

    static Host host(int rack, int n) {
        String name = String.format("r%04d-s%02d", rack, n);
        String mac = String.format("0c:c4:%02x:%02x:%02x:", rack / 256, rack % 256, n);
        Bmc bmc = new Bmc(String.format("0c:c5:%02x:%02x:%02x:01", rack / 256, rack % 256, n), null, "admin",
                Secret.of("env:BMC_PASSWORD"), 623, null);
        Host h = Host.imported(name, String.format("r%04d", rack), n, bmc, mac + "10", null, List.of(), Instant.EPOCH);
        Map<String, ProfileMatch.NamedNic> nics = new LinkedHashMap<>();
        nics.put("mgmt0", new ProfileMatch.NamedNic("mgmt0", mac + "10", "onboard", "1", 1000));
        nics.put("ext0", new ProfileMatch.NamedNic("ext0", mac + "20", "PCIe 2", "1", 25000));
        nics.put("ext1", new ProfileMatch.NamedNic("ext1", mac + "21", "PCIe 2", "2", 25000));
        Map<String, ProfileMatch.NamedDisk> disks = Map.of("os", new ProfileMatch.NamedDisk("os", "M.2 1",
                "/dev/disk/by-id/nvme-BENCH_" + name, "S" + name, 960_000_000_000L));
        return h.withMatch(new ProfileMatch("bench", nics, disks, "os", "slot"))
                .withProvisioning(new Provisioning(null, "debian-12", Secret.randomToken(), null, null, 0, null));
    }
}

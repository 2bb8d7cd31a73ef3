package dev.metal.provision;

import dev.metal.cli.CliRun;
import dev.metal.lab.DirectBmcs;
import dev.metal.lab.Machine;
import dev.metal.model.Bmc;
import dev.metal.model.Host;
import dev.metal.model.HostState;
import dev.metal.model.ProfileMatch;
import dev.metal.model.Secret;
import dev.metal.model.Site;
import dev.metal.state.Store;
import dev.metal.state.Stores;
import dev.metal.workflow.Services;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small lab for the workflow's tests: a state file with ready hosts, a files folder with
 * a kernel and an initrd, and lab machines behind in-process BMCs that boot from a boot
 * server on a port of the test's own.
 */
public final class Fleet {
    public final Path dir;
    public final Path state;
    /** Where the state is: the state file, or a PostgreSQL URL. */
    public final String location;
    public final Path files;
    public final int port;
    public final URI server;
    public final DirectBmcs bmcs = new DirectBmcs();
    public final Store store;
    public Duration installTime = Duration.ofMillis(200);

    public Fleet(Path dir) throws IOException {
        this(dir, freePort());
    }

    public Fleet(Path dir, int port) throws IOException {
        this(dir, port, dir.resolve("state.json").toString());
    }

    /** A fleet whose state is at {@code location} (a file, or a PostgreSQL URL). */
    public Fleet(Path dir, int port, String location) throws IOException {
        this.dir = dir;
        this.state = dir.resolve("state.json");
        this.location = location;
        this.files = dir.resolve("files");
        this.port = port;
        this.server = URI.create("http://127.0.0.1:" + port);
        this.store = Stores.open(location, "test", Clock.systemUTC());
        Files.createDirectories(files.resolve("debian"));
        Files.write(files.resolve("debian/linux"), bytes(300_000));
        Files.write(files.resolve("debian/initrd.gz"), bytes(100_000));
        store.update(tx -> {
            tx.putSite(site(List.of()), "site-set", Map.of());
            return null;
        });
    }

    /**
     * The site plan of this fleet: its boot server, an OS whose kernel and initrd are in
     * {@link #files}, a key for the installed systems, and {@code racks}.
     */
    public Site site(List<String> racks) {
        List<Site.Rack> plans = new java.util.ArrayList<>();
        int i = 0;
        for (String r : racks) {
            i++;
            plans.add(new Site.Rack(r, r + "-tor", new Site.Network("10.100." + i + ".0/24", "10.100." + i + ".1", null, null),
                    new Site.Network("10.101." + i + ".0/24", "10.101." + i + ".1", null, null),
                    new Site.Network("10.102." + i + ".0/24", "10.102." + i + ".1", null, null)));
        }
        return new Site("fleet", "fleet.test", server.toString(), List.of("192.0.2.53"),
                List.of("ssh-ed25519 AAAA fleet@test"), Map.of("public", "ext0", "mgmt", "mgmt0"), 10,
                new Site.Asn(65000, 65100, 4200000000L), null, plans,
                Map.of("debian-12", new Site.Os(server + "/files/debian/linux", server + "/files/debian/initrd.gz",
                        "auto=true", "http://deb.debian.org/debian")));
    }

    public static byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (i * 31 + i / 251);
        return b;
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    public static String mac(int i) {
        return String.format("52:54:00:00:%02x:%02x", i / 256, i % 256);
    }

    /** Adds a ready host of {@code profile} in {@code rack} with a machine behind its BMC. */
    public Fleet host(String name, String rack, int u, String profile, int macIndex, Set<Machine.Fault> faults,
                      DirectBmcs.Fault... bmcFaults) {
        String mac = mac(macIndex);
        Instant now = Instant.now();
        Host h = Host.imported(name, rack, u, new Bmc(mac(10_000 + macIndex), "http://127.0.0.1:1", "admin",
                        Secret.of("bmc-secret"), Bmc.DEFAULT_IPMI_PORT, null), mac, "SN" + macIndex, List.of(), now)
                .moveTo(HostState.DISCOVERED, null, now)
                .moveTo(HostState.INVENTORIED, null, now)
                .withMatch(new ProfileMatch(profile, Map.of(
                        "ext0", new ProfileMatch.NamedNic("ext0", mac(20_000 + macIndex), "1", "1", 25_000),
                        "mgmt0", new ProfileMatch.NamedNic("mgmt0", mac, null, "1", 1_000)), Map.of(), null, "test"))
                .withAddresses(Map.of("rack", rack))   // as 'metal site set' leaves a host it placed
                .moveTo(HostState.READY, null, now);
        store.update(tx -> {
            Site site = tx.site();
            if (site.rack(rack) == null) {
                List<String> racks = new java.util.ArrayList<>(site.racks().stream().map(Site.Rack::name).toList());
                racks.add(rack);
                tx.putSite(site(racks), "site-set", Map.of());
            }
            tx.put(h, "added");
            return null;
        });
        bmcs.add(name, new Machine(mac, server, faults, installTime), bmcFaults);
        return this;
    }

    public Fleet host(String name, String rack, int u, String profile, int macIndex) {
        return host(name, rack, u, profile, macIndex, EnumSet.noneOf(Machine.Fault.class));
    }

    /** The parts the commands run with: this fleet's BMCs, test boot content. */
    public Services services() {
        return services(bmcs);
    }

    static Services services(DirectBmcs bmcs) {
        return Services.standard().withBmcProviders(options -> List.of(bmcs)).withBootContent(TestBootContent::new);
    }

    /** Runs metal on this fleet's state, reaching this fleet's BMCs. */
    public CliRun metal(String... args) {
        return CliRun.metal(services(), Map.of("METAL_STATE", location), args);
    }

    public Host get(String name) {
        return store.host(name);
    }

    /** The arguments every provision of this fleet needs: the state, the port and the files. */
    public String[] args(String... more) {
        String[] base = {"--listen", "127.0.0.1:" + port, "--files", files.toString()};
        String[] all = new String[base.length + more.length];
        System.arraycopy(more, 0, all, 0, more.length);
        System.arraycopy(base, 0, all, more.length, base.length);
        return all;
    }
}

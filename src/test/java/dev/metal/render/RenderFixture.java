package dev.metal.render;

import dev.metal.model.Bmc;
import dev.metal.model.Host;
import dev.metal.model.ProfileMatch;
import dev.metal.model.Provisioning;
import dev.metal.model.Secret;
import dev.metal.model.Site;
import dev.metal.state.Stores;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Hosts with a profile match built directly, and the sample site plan, for the render tests. */
public final class RenderFixture {
    public static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

    private RenderFixture() {}

    public static Path sampleSite() {
        return Path.of(System.getProperty("metal.basedir", ".")).resolve("samples/site.yaml");
    }

    public static Site site() {
        return SitePlans.read(sampleSite());
    }

    /** Host number n (1-based) in a rack; MACs derive from rack position and n so they never collide. */
    public static Host host(String rack, int n) {
        return host(rack, n, String.format("%s-s%02d", rack, n));
    }

    /** The same host under another name. */
    public static Host host(String rack, int n, String name) {
        int r = Integer.parseInt(rack.replaceAll("\\D", ""));
        String mac = String.format("0c:c4:7a:%02x:%02x:", r & 0xff, n & 0xff);
        Bmc bmc = new Bmc(String.format("0c:c4:7b:%02x:%02x:01", r & 0xff, n & 0xff), null, "admin",
                Secret.of("env:BMC_PASSWORD"), 623, null);
        Host h = Host.imported(name, rack, n, bmc, mac + "10", "SN" + r + n, List.of(), T0);
        Map<String, ProfileMatch.NamedNic> nics = new LinkedHashMap<>();
        nics.put("mgmt0", new ProfileMatch.NamedNic("mgmt0", mac + "10", "onboard", "1", 1000));
        nics.put("ext0", new ProfileMatch.NamedNic("ext0", mac + "20", "PCIe 2", "1", 25000));
        nics.put("ext1", new ProfileMatch.NamedNic("ext1", mac + "21", "PCIe 2", "2", 25000));
        Map<String, ProfileMatch.NamedDisk> disks = Map.of("os", new ProfileMatch.NamedDisk("os", "M.2 1",
                "/dev/disk/by-id/nvme-SAMSUNG_MZ1L2960HCJR-00A07_S665NE0R" + r + n, "S665NE0R" + r + n, 960L * 1000 * 1000 * 1000));
        return h.withMatch(new ProfileMatch("r650-2x25g", nics, disks, "os", "slot"));
    }

    /** The same host with a fixed boot token, for golden files. */
    public static Host withToken(Host h, String token) {
        return h.withProvisioning(new Provisioning(null, "debian-12", Secret.of(token), null, null, 0, null));
    }

    /** Puts hosts into a state file as they would be after import and match. */
    public static void seed(Path state, Host... hosts) {
        Stores.open(state.toString(), "test", Clock.systemUTC()).update(tx -> {
            for (Host h : hosts) tx.put(h, "seeded");
            return null;
        });
    }
}

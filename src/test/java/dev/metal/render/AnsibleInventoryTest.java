package dev.metal.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.metal.cli.CliRun;
import dev.metal.model.Bmc;
import dev.metal.model.Host;
import dev.metal.model.HostState;
import dev.metal.model.Inventory;
import dev.metal.util.Json;
import dev.metal.model.Profile;
import dev.metal.model.ProfileMatch;
import dev.metal.model.Provisioning;
import dev.metal.model.Secret;
import dev.metal.profile.Inventories;
import dev.metal.profile.Matcher;
import dev.metal.profile.ProfileFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 'metal ansible inventory' on a fixed, hand-built state: the JSON against golden files in
 * src/test/resources/golden/ansible (regenerate with -Dmetal.golden.update=true), the
 * group and variable rules, and that no secret gets out.
 */
class AnsibleInventoryTest {
    static final Path GOLDEN = Path.of(System.getProperty("metal.basedir", "."))
            .resolve("src/test/resources/golden/ansible");
    static final String PASSWORD = "bmc-password-never-shown";
    static final String TOKEN = "boot-token-never-shown";
    static final String URL_PASSWORD = "url-password-never-shown";

    @TempDir
    Path tmp;

    /** Five hosts in every situation the inventory has to handle; 'site set' gives them addresses. */
    static List<Host> fleet() {
        List<Profile> profiles = ProfileFiles.loadFolder(RenderFixture.sampleSite().resolveSibling("profiles")).stream()
                .map(ProfileFiles.Loaded::profile).toList();
        Matcher matcher = new Matcher(profiles);
        List<Host> hosts = new ArrayList<>();

        // Ready, matched with the sample R6525 profile (drives named DiskBay0 and DiskBay1), two tags.
        Inventory dell = Inventories.dellR6525(1);
        hosts.add(host("r01-s01", "r01", 1, "https://10.20.1.10", List.of("gpu", "team-a.blue"), HostState.READY)
                .withInventory(dell).withMatch(matched(matcher, dell)));

        // Provisioning, with a live boot token; the inventory's by-id names are udev's names alone
        // (no /dev/disk/by-id/ in front), as the scraper records them.
        Inventory supermicro = Inventories.withSystem(Inventories.supermicro(2), s -> Inventories.copy(s, s.cpus(),
                s.dimms(), s.drives().stream().map(d -> new Inventory.Drive(d.bay(), d.manufacturer(), d.model(),
                        d.serial(), d.capacityBytes(), d.protocol(), d.media(),
                        d.byIdPath().replace(AnsibleInventory.BY_ID, ""))).toList(), s.nics()));
        hosts.add(host("r01-s02", "r01", 3, "https://10.20.1.11", List.of(), HostState.PROVISIONING)
                .withInventory(supermicro).withMatch(matched(matcher, supermicro))
                .withProvisioning(new Provisioning("req-1", "debian-12", Secret.of(TOKEN), RenderFixture.T0, null, 1, null)));

        // Failed: a DIMM is missing, so no profile and no names.
        Inventory missing = Inventories.dimmRemoved(Inventories.dellR6525(3), "DIMM.Socket.A3");
        Matcher.Outcome o = matcher.match(missing);
        hosts.add(host("r02-s01", "r02", 1, "https://10.20.2.10", List.of("lab"), HostState.FAILED)
                .withInventory(missing).withMatch(ProfileMatch.missed(assertInstanceOf(Matcher.Missed.class, o).miss())));

        // Only discovered, with a BMC URL that carries a user and password.
        hosts.add(host("r02-s02", "r02", 3, "https://admin:" + URL_PASSWORD + "@10.20.2.11:8443", List.of("lab"),
                HostState.DISCOVERED));

        // Imported into a rack the site plan does not have: no addresses, no BMC address yet.
        hosts.add(host("r09-s01", "r09", 40, null, List.of(), HostState.IMPORTED));

        return hosts;
    }

    private static ProfileMatch matched(Matcher matcher, Inventory inv) {
        return assertInstanceOf(Matcher.Matched.class, matcher.match(inv)).match();
    }

    private static Host host(String name, String rack, int u, String bmcAddress, List<String> tags, HostState state) {
        int n = name.hashCode() & 0xff;
        Bmc bmc = new Bmc(String.format("0c:c4:7b:00:00:%02x", n), bmcAddress, "admin", Secret.of(PASSWORD), 623, null);
        Host h = Host.imported(name, rack, u, bmc, String.format("0c:c4:7a:00:00:%02x", n), "SN-" + name, tags,
                RenderFixture.T0);
        List<HostState> path = switch (state) {
            case IMPORTED -> List.of();
            case DISCOVERED -> List.of(HostState.DISCOVERED);
            case FAILED -> List.of(HostState.DISCOVERED, HostState.INVENTORIED, HostState.FAILED);
            case READY -> List.of(HostState.DISCOVERED, HostState.INVENTORIED, HostState.READY);
            case PROVISIONING -> List.of(HostState.DISCOVERED, HostState.INVENTORIED, HostState.READY, HostState.PROVISIONING);
            default -> throw new IllegalArgumentException(state.label());
        };
        for (HostState s : path) h = h.moveTo(s, null, RenderFixture.T0);
        return h;
    }

    private Path seeded() {
        Path state = tmp.resolve("state.json");
        RenderFixture.seed(state, fleet().toArray(Host[]::new));
        assertEquals(0, CliRun.metal(state, "site", "set", RenderFixture.sampleSite().toString()).exitCode);
        return state;
    }

    private static void assertGolden(String name, String actual) throws IOException {
        Path file = GOLDEN.resolve(name);
        if (Boolean.getBoolean("metal.golden.update")) {
            Files.createDirectories(GOLDEN);
            Files.writeString(file, actual, StandardCharsets.UTF_8);
        }
        assertEquals(Files.readString(file, StandardCharsets.UTF_8), actual, name);
    }

    @Test
    void listAndHostMatchTheirGoldenFiles() throws IOException {
        Path state = seeded();
        CliRun list = CliRun.metal(state, "ansible", "inventory", "--list");
        assertEquals(0, list.exitCode, list.toString());
        assertEquals("", list.err);
        assertGolden("list.json", list.out);
        CliRun host = CliRun.metal(state, "ansible", "inventory", "--host", "r01-s01");
        assertEquals(0, host.exitCode, host.toString());
        assertGolden("host-r01-s01.json", host.out);

        // --json changes nothing: the output is Ansible's JSON either way.
        assertEquals(Json.mapper().readTree(list.out),
                Json.mapper().readTree(CliRun.metal(state, "--json", "ansible", "inventory", "--list").out));
        // --host gives what --list gives under _meta.hostvars, for every host.
        JsonNode hostvars = Json.mapper().readTree(list.out).path("_meta").path("hostvars");
        for (Host h : fleet()) {
            CliRun one = CliRun.metal(state, "ansible", "inventory", "--host", h.hostname());
            assertEquals(0, one.exitCode, one.toString());
            assertEquals(hostvars.get(h.hostname()), Json.mapper().readTree(one.out), h.hostname());
        }
    }

    @Test
    void groupsByRackProfileStateAndTagWithNamesAnsibleAccepts() throws IOException {
        JsonNode inv = Json.mapper().readTree(CliRun.metal(seeded(), "ansible", "inventory", "--list").out);
        assertEquals(List.of("rack_r01", "rack_r02", "rack_r09"), strings(inv.path("racks").path("children")));
        assertEquals(List.of("r01-s01", "r01-s02"), strings(inv.path("rack_r01").path("hosts")));
        assertEquals(List.of("profile_r6525_base", "profile_supermicro_1029u"), strings(inv.path("profiles").path("children")));
        assertEquals(List.of("r01-s01"), strings(inv.path("profile_r6525_base").path("hosts")));
        assertEquals(List.of("state_discovered", "state_failed", "state_imported", "state_provisioning", "state_ready"),
                strings(inv.path("states").path("children")));
        assertEquals(List.of("tag_gpu", "tag_lab", "tag_team_a_blue"), strings(inv.path("tags").path("children")));
        assertEquals(List.of("r02-s01", "r02-s02"), strings(inv.path("tag_lab").path("hosts")));
        inv.fieldNames().forEachRemaining(g -> {
            if (!g.equals("_meta")) assertTrue(g.matches("[A-Za-z_][A-Za-z0-9_]*"), g);
        });
        assertEquals("rack_lab_r1", AnsibleInventory.groupName("rack", "lab-r1"));
        assertEquals("tag_Gpu_2_x", AnsibleInventory.groupName("tag", "Gpu 2.x"));
    }

    @Test
    void hostVariablesAreTypedAndNamedAsAnsibleNamesThem() throws IOException {
        JsonNode vars = Json.mapper().readTree(CliRun.metal(seeded(), "ansible", "inventory", "--host", "r01-s02").out);
        JsonNode bay0 = vars.path("drive_bays").path("DiskBay0");
        // The scraper gave udev's name alone; the inventory always gives the full path.
        assertTrue(bay0.path("by_id_path").asText().startsWith("/dev/disk/by-id/nvme-"), bay0.toString());
        assertEquals(bay0.path("by_id_path").asText(), "/dev/disk/by-id/nvme-" + bay0.path("device_model").asText()
                + "_" + bay0.path("serial_number").asText(), "the issue's seed template gives the drive's path");
        assertTrue(bay0.path("capacity").isIntegralNumber(), bay0.toString());
        assertTrue(bay0.path("boot").asBoolean(), bay0.toString());
        JsonNode mgmt = vars.path("addresses").path("mgmt");
        assertEquals("mgmt0", mgmt.path("nic").asText());
        assertEquals(24, mgmt.path("ipv4").path("prefix").asInt());
        assertEquals("10.10.1.1", mgmt.path("ipv4").path("gateway").asText());
        assertTrue(vars.path("addresses").path("bgp").path("asn").isIntegralNumber());
        assertFalse(vars.path("addresses").has("public.ipv4"), "nested, not dotted keys");
        assertTrue(vars.path("nics").path("ext0").path("speed").isIntegralNumber());

        JsonNode outside = Json.mapper().readTree(CliRun.metal(seeded(), "ansible", "inventory", "--host", "r09-s01").out);
        assertEquals(0, outside.path("addresses").size(), "a host the site plan does not place has no addresses");
        assertFalse(outside.path("bmc").has("address"));
    }

    @Test
    void noPasswordOrTokenEverGetsOut() {
        Path state = seeded();
        List<CliRun> runs = new ArrayList<>(List.of(CliRun.metal(state, "ansible", "inventory", "--list"),
                CliRun.metal(state, "--json", "ansible", "inventory", "--list")));
        for (Host h : fleet()) runs.add(CliRun.metal(state, "ansible", "inventory", "--host", h.hostname()));
        for (CliRun run : runs) {
            assertEquals(0, run.exitCode, run.toString());
            for (String secret : List.of(PASSWORD, TOKEN, URL_PASSWORD, Secret.MASK)) {
                assertFalse(run.out.contains(secret) || run.err.contains(secret), secret + " in\n" + run);
            }
        }
        assertTrue(runs.get(0).out.contains("\"address\" : \"https://10.20.2.11:8443\""), "the BMC URL without its user");
    }

    @Test
    void badUseIsExit2WithAClearMessage() {
        Path state = seeded();
        CliRun run = CliRun.metal(state, "ansible", "inventory", "--host", "nosuch");
        assertEquals(2, run.exitCode, run.toString());
        assertEquals("", run.out);
        assertEquals("metal: unknown host nosuch\n", run.err);
        run = CliRun.metal(state, "ansible", "inventory");
        assertEquals(2, run.exitCode, run.toString());
        assertTrue(run.err.contains("--list") && run.err.contains("--host"), run.err);
        run = CliRun.metal(state, "ansible", "inventory", "--list", "--host", "r01-s01");
        assertEquals(2, run.exitCode, run.toString());
        assertTrue(run.err.contains("mutually exclusive"), run.err);
    }

    @Test
    void anEmptyStateIsAnEmptyInventory() throws IOException {
        CliRun run = CliRun.metal(tmp.resolve("none.json"), "ansible", "inventory", "--list");
        assertEquals(0, run.exitCode, run.toString());
        assertEquals(Json.mapper().readTree("{\"_meta\": {\"hostvars\": {}}}"), Json.mapper().readTree(run.out));
    }

    @Test
    void modelsAndSerialsAreSpelledAsUdevSpellsThemInByIdNames() {
        // NVMe: udev turns each character outside its safe set into _ (so two spaces give two).
        assertEquals("Samsung_SSD_970_EVO_Plus_1TB", AnsibleInventory.udevName("Samsung SSD 970 EVO Plus 1TB  ", false));
        assertEquals("INTEL__SSDPE2KX010T8", AnsibleInventory.udevName("INTEL  SSDPE2KX010T8", false));
        assertEquals("Dell_Ent_NVMe_v2_AGN_RI_U.2_3.84TB", AnsibleInventory.udevName("Dell Ent NVMe v2 AGN RI U.2 3.84TB", false));
        assertEquals("a_b_c", AnsibleInventory.udevName("a/b,c", false));
        // ATA and SCSI: a run of whitespace first becomes one _.
        assertEquals("WDC_WD80EFAX-68KNBN0", AnsibleInventory.udevName(" WDC  WD80EFAX-68KNBN0 ", true));
        assertEquals("/dev/disk/by-id/ata-X_1", AnsibleInventory.fullByIdPath("ata-X_1"));
        assertEquals("/dev/disk/by-id/ata-X_1", AnsibleInventory.fullByIdPath("/dev/disk/by-id/ata-X_1"));
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}

package dev.metal.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metal.model.Inventory;
import dev.metal.model.Profile;
import dev.metal.model.ProfileMatch;
import dev.metal.model.ProfileMatch.Miss;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class MatcherTest {
    static final Path SAMPLES = Path.of(System.getProperty("metal.basedir", "."), "samples/profiles");

    static List<Profile> samples() {
        return ProfileFiles.loadFolder(SAMPLES).stream().map(ProfileFiles.Loaded::profile).toList();
    }

    private static ProfileMatch matched(Inventory inv) {
        Matcher.Outcome o = new Matcher(samples()).match(inv);
        return assertInstanceOf(Matcher.Matched.class, o, () -> "expected a match, got " + o).match();
    }

    private static Miss missed(Inventory inv) {
        Matcher.Outcome o = new Matcher(samples()).match(inv);
        return assertInstanceOf(Matcher.Missed.class, o, () -> "expected no match, got " + o).miss();
    }

    @Test
    void dellResolvesSlotPortsAndBootDisk() {
        Inventory inv = Inventories.dellR6525(7);
        ProfileMatch m = matched(inv);
        assertEquals("r6525-base", m.profile());
        assertEquals(List.of("mgmt0", "mgmt1", "ext0", "ext1"), List.copyOf(m.nics().keySet()));
        ProfileMatch.NamedNic ext0 = m.nics().get("ext0");
        assertEquals(Inventories.mac(0x20, 7, 1), ext0.mac());
        assertEquals("2", ext0.slot());
        assertEquals("1", ext0.port());
        assertEquals(25000, ext0.speedMbps());
        assertEquals(Inventories.mac(0x20, 7, 2), m.nics().get("ext1").mac());
        ProfileMatch.NamedDisk bay0 = m.disks().get("DiskBay0");
        assertEquals("/dev/disk/by-id/nvme-Dell_Ent_NVMe_v2_AGN_RI_U.2_3.84TB_S6CJNA0R000070", bay0.byIdPath());
        assertEquals(bay0.byIdPath(), m.bootDisk());
        assertEquals("1", m.disks().get("DiskBay1").bay());
        assertEquals("NICs by slot: Embedded 1 (mgmt0,mgmt1), 2 (ext0,ext1)", m.evidence());
    }

    @Test
    void portsAreNamedInPortOrderWhateverTheBmcOrder() {
        Inventory inv = Inventories.withSystem(Inventories.dellR6525(1), s -> Inventories.copy(s, s.cpus(), s.dimms(),
                s.drives(), reversed(s.nics())));
        assertEquals(Inventories.mac(0x20, 1, 1), matched(inv).nics().get("ext0").mac());
    }

    private static <T> List<T> reversed(List<T> list) {
        List<T> copy = new java.util.ArrayList<>(list);
        java.util.Collections.reverse(copy);
        return copy;
    }

    @Test
    void withoutSlotsNicsMatchByAdapterModelAndOrder() {
        Inventory inv = Inventories.supermicro(3);
        ProfileMatch m = matched(inv);
        assertEquals("supermicro-1029u", m.profile());
        assertEquals(Inventories.mac(0x30, 3, 1), m.nics().get("mgmt0").mac());
        assertEquals(Inventories.mac(0x40, 3, 2), m.nics().get("ext1").mac());
        assertEquals(null, m.nics().get("ext0").slot());
        assertEquals("NICs by adapter model and port order (the BMC gives no slot): '*X710*' #1 (mgmt0,mgmt1), "
                + "'*X710*' #2 (ext0,ext1)", m.evidence());
        assertEquals(4, m.disks().size());
    }

    @Test
    void aRemovedDimmIsNamedWithTheCount() {
        Miss miss = missed(Inventories.dimmRemoved(Inventories.dellR6525(1), "DIMM.Socket.B2"));
        assertEquals("r6525-base", miss.nearestProfile());
        assertEquals(List.of("DIMM slot DIMM.Socket.B2 empty: profile r6525-base expects 16 DIMMs, found 15"),
                miss.differences());
    }

    @Test
    void aNicInAnotherSlotIsFoundThere() {
        Miss miss = missed(Inventories.nicMoved(Inventories.dellR6525(1), "2", "4"));
        assertEquals("r6525-base", miss.nearestProfile());
        assertEquals(List.of("25GbE adapter expected in slot 2, found in slot 4 (profile r6525-base)"),
                miss.differences());
    }

    @Test
    void aMissingDriveIsNamedByBay() {
        Miss miss = missed(Inventories.driveMissing(Inventories.dellR6525(1), "1"));
        assertEquals("r6525-base", miss.nearestProfile());
        assertEquals(List.of("drive bay 1 empty: profile r6525-base expects 2 drives, found 1"), miss.differences());
    }

    @Test
    void aDifferentCpuModelIsNamedPerSocket() {
        Miss miss = missed(Inventories.cpuModel(Inventories.dellR6525(1), "AMD EPYC 7313 16-Core Processor"));
        assertEquals("r6525-base", miss.nearestProfile());
        assertEquals(List.of(
                "CPU CPU.Socket.1 is 'AMD EPYC 7313 16-Core Processor': profile r6525-base expects 'AMD EPYC 7543 *'",
                "CPU CPU.Socket.2 is 'AMD EPYC 7313 16-Core Processor': profile r6525-base expects 'AMD EPYC 7543 *'"),
                miss.differences());
    }

    @Test
    void aSupermicroWithOneAdapterMissingNamesIt() {
        Inventory inv = Inventories.withSystem(Inventories.supermicro(1), s -> Inventories.copy(s, s.cpus(), s.dimms(),
                s.drives(), s.nics().subList(0, 2)));
        Miss miss = missed(inv);
        assertEquals("supermicro-1029u", miss.nearestProfile());
        assertEquals(List.of("10GbE adapter expected, not found (profile supermicro-1029u)"), miss.differences());
    }

    @Test
    void anExtraDimmAndASmallerDriveAreDifferences() {
        Inventory inv = Inventories.withSystem(Inventories.dellR6525(1), s -> Inventories.copy(s, s.cpus(),
                s.dimms().stream().map(d -> d.slot().equals("DIMM.Socket.A9")
                        ? new Inventory.Dimm(d.slot(), true, 32, "DDR4", 3200, "X", "Y") : d).toList(),
                s.drives().stream().map(d -> d.bay().equals("0")
                        ? new Inventory.Drive("0", "Samsung", "PM9A3", "S1", 1_920_383_410_176L, "NVMe", "SSD", "/x")
                        : d).toList(),
                s.nics()));
        Miss miss = missed(inv);
        assertEquals(List.of(
                "DIMM slot DIMM.Socket.A9 holds 32 GiB: profile r6525-base expects it empty (16 DIMMs, found 17)",
                "drive in bay 0 has 1920 GB: profile r6525-base expects at least 3840 GB"), miss.differences());
    }

    @Test
    void theNearestProfileHasTheSameModel() {
        // Half the DIMMs differ from r6525-base and all from r6525-bigmem: still a Dell, never the Supermicro.
        Miss miss = missed(Inventories.dimmRemoved(Inventories.dellR6525(1), "DIMM.Socket.A1"));
        assertEquals("r6525-base", miss.nearestProfile());
        Miss other = missed(Inventories.cpuModel(Inventories.supermicro(1), "Intel(R) Xeon(R) Silver 4210"));
        assertEquals("supermicro-1029u", other.nearestProfile());
    }

    @Test
    void twoMatchingProfilesAreAnErrorNamingBoth() {
        List<Profile> profiles = new java.util.ArrayList<>(samples());
        profiles.add(new Profile("any-dell", null, new Profile.SystemSpec("Dell*", null), null, null, null, null));
        Matcher.Outcome o = new Matcher(profiles).match(Inventories.dellR6525(1));
        Matcher.Ambiguous amb = assertInstanceOf(Matcher.Ambiguous.class, o);
        assertEquals(List.of("any-dell", "r6525-base"), amb.profiles());
    }

    @Test
    void anInventoryWithoutSystemsMatchesNothing() {
        Miss miss = missed(new Inventory(null, List.of(), null, null));
        assertEquals(List.of("the inventory lists no system"), miss.differences());
    }

    @Test
    void patternsAreCaseInsensitiveGlobsAndTrimPaddedValues() {
        Glob g = Glob.of("Intel(R) Xeon(R) Gold 6248R *");
        assertTrue(g.matches("  intel(r) xeon(r) gold 6248R CPU @ 3.00GHz   "));
        assertTrue(!g.matches("Intel(R) Xeon(R) Gold 6248 CPU"));
        assertTrue(Glob.of("R?525").matches("R6525"));
        assertTrue(!Glob.of("R?525").matches(null));
        assertTrue(Glob.of("*").matches(null));
    }

    @Test
    void portsSortNaturally() {
        assertTrue(Matcher.Natural.compare("NIC.Slot.2-2", "NIC.Slot.2-10") < 0);
        assertTrue(Matcher.Natural.compare("10", "9") > 0);
        assertEquals(0, Matcher.Natural.compare("01", "1"));
    }

    @Test
    void adapterAndDriveDetailsAreDifferences() {
        Profile p = ProfileFiles.parse("""
                name: small
                drives:
                  - bay: "0"
                    model: "*PM1733*"
                  - bay: "1"
                nics:
                  - slot: "2"
                    adapterModel: "*E810*"
                    speedMbps: 100000
                    ports: 4
                """, "small.yaml", null);
        assertEquals(List.of(
                "drive in bay 0 is 'Dell Ent NVMe v2 AGN RI U.2 3.84TB': profile small expects '*PM1733*'",
                "adapter 'Mellanox ConnectX-6 Lx 2x25G SFP28' in slot 2 (2 ports) is not '*E810*' (profile small)",
                "adapter 'Mellanox ConnectX-6 Lx 2x25G SFP28' in slot 2 (2 ports): profile small expects 4 ports",
                "port 1 of adapter 'Mellanox ConnectX-6 Lx 2x25G SFP28' in slot 2 (2 ports) runs at 25GbE: "
                        + "profile small expects 100GbE",
                "port 2 of adapter 'Mellanox ConnectX-6 Lx 2x25G SFP28' in slot 2 (2 ports) runs at 25GbE: "
                        + "profile small expects 100GbE",
                "unexpected adapter 'Broadcom Gigabit Ethernet BCM5720' in slot Embedded 1 (2 ports): "
                        + "profile small does not list it"),
                Matcher.differences(p, Inventories.dellR6525(1)));
    }
}

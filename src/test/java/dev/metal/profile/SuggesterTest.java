package dev.metal.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metal.model.Inventory;
import dev.metal.model.Inventory.Cpu;
import dev.metal.model.Inventory.Dimm;
import dev.metal.model.Inventory.Drive;
import dev.metal.model.Inventory.Nic;
import dev.metal.model.Inventory.SystemInfo;
import dev.metal.model.Profile;
import dev.metal.model.ProfileMatch;
import java.util.List;
import org.junit.jupiter.api.Test;

class SuggesterTest {
    /** Suggest, write as YAML, load again, match: what every onboarding does. */
    static ProfileMatch roundTrip(Inventory inv, String mgmtMac) {
        String yaml = ProfileFiles.write(Suggester.suggest(inv, null, mgmtMac), List.of("test"));
        Profile loaded = ProfileFiles.parse(yaml, "suggested", null);
        Matcher.Outcome o = new Matcher(List.of(loaded)).match(inv);
        return assertInstanceOf(Matcher.Matched.class, o, () -> yaml + "\n" + o).match();
    }

    @Test
    void aSuggestedProfileMatchesItsHost() {
        ProfileMatch dell = roundTrip(Inventories.dellR6525(4), Inventories.mac(0x10, 4, 1));
        assertEquals("poweredge-r6525", dell.profile());
        assertEquals(Inventories.mac(0x10, 4, 1), dell.nics().get("mgmt0").mac());
        assertEquals(Inventories.mac(0x10, 4, 2), dell.nics().get("ext0").mac());
        assertEquals(Inventories.mac(0x20, 4, 2), dell.nics().get("ext2").mac());
        assertEquals(dell.disks().get("DiskBay0").byIdPath(), dell.bootDisk());

        ProfileMatch smc = roundTrip(Inventories.supermicro(4), null);
        assertEquals(Inventories.mac(0x40, 4, 1), smc.nics().get("ext2").mac());
    }

    @Test
    void aSuggestedProfileCatchesTheMutations() {
        Profile p = ProfileFiles.parse(ProfileFiles.write(Suggester.suggest(Inventories.dellR6525(1), "dell", null),
                List.of()), "suggested", null);
        Inventory base = Inventories.dellR6525(2);
        assertEquals(List.of(), Matcher.differences(p, base), "another host of the same type matches");
        assertEquals(List.of("DIMM slot DIMM.Socket.A3 empty: profile dell expects 16 DIMMs, found 15"),
                Matcher.differences(p, Inventories.dimmRemoved(base, "DIMM.Socket.A3")));
        assertEquals(List.of("drive bay 0 empty: profile dell expects 2 drives, found 1"),
                Matcher.differences(p, Inventories.driveMissing(base, "0")));
        assertEquals(List.of("25GbE adapter expected in slot 2, found in slot 3 (profile dell)"), Matcher.differences(p, Inventories.nicMoved(base, "2", "3")));
    }

    @Test
    void theYamlIsReadable() {
        String yaml = ProfileFiles.write(Suggester.suggest(Inventories.dellR6525(1), null, null), List.of("hello"));
        assertTrue(yaml.startsWith("# hello\nname: poweredge-r6525\n"), yaml);
        assertTrue(yaml.contains("\n    DIMM.Socket.A1: 32\n"), yaml);
        assertTrue(yaml.contains("\n  - bay: \"0\"\n"), yaml);
        assertTrue(!yaml.contains("null"), yaml);
    }

    /** What a sparse BMC gives (DMTF mockups): no slots, adapters, models, bays, sizes or speeds. */
    @Test
    void aSparseInventoryStillGivesAProfileItMatches() {
        SystemInfo s = new SystemInfo("1", null, "  Padded Model  ", null, null, null, null, null,
                List.of(new Cpu("CPU1", "Intel", "Multi-Core  ", 8, 16), new Cpu("CPU2", null, null, null, null)),
                null,
                List.of(new Dimm("DIMM1", true, null, null, null, null, null), new Dimm(null, true, 8, null, null, null, null),
                        new Dimm("DIMM3", false, null, null, null, null, null)),
                List.of(new Drive(null, null, null, null, null, null, null, null),
                        new Drive("2", null, "Disk", "X", 500_000_000_000L, "SAS", "HDD", null),
                        new Drive("Bay 1", null, "Disk", "Y", 500_000_000_000L, "SAS", "HDD", null),
                        new Drive("2", null, "Disk", "Z", 900_000_000_000L, "SAS", "HDD", null),
                        new Drive(null, null, null, null, 1_000_000L, "SATA", null, null)),
                List.of(new Nic(null, null, null, "1", "00:11:22:33:44:55", null),
                        new Nic(null, null, null, "2", "00:11:22:33:44:55", null),
                        new Nic("NIC2", "Model", null, null, "00:11:22:33:44:66", 1000),
                        new Nic("NIC3", "Model", null, "1", "00:11:22:33:44:77", 1000),
                        new Nic("NIC4", "Other", "Slot 1", "1", "00:11:22:33:44:88", 1000),
                        new Nic("NIC5", "Other", "slot 1", "1", "00:11:22:33:44:99", 1000)),
                null);
        Inventory inv = new Inventory(null, List.of(s), null, null);
        ProfileMatch m = roundTrip(inv, null);
        assertEquals("padded-model", m.profile());
        assertEquals("00:11:22:33:44:77", m.nics().get("ext3").mac());
        assertEquals("00:11:22:33:44:99", m.nics().get("ext5").mac());
        assertEquals(List.of("DiskBay2", "DiskBayBay_1", "Disk0", "Disk1", "Disk2"), List.copyOf(m.disks().keySet()));
        assertEquals("Z", m.disks().get("Disk1").serial(), "the second drive in bay 2 counts as one without a bay");
    }
}

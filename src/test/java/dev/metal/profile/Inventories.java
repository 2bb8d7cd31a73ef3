package dev.metal.profile;

import dev.metal.model.Inventory;
import dev.metal.model.Inventory.Cpu;
import dev.metal.model.Inventory.Dimm;
import dev.metal.model.Inventory.Drive;
import dev.metal.model.Inventory.Nic;
import dev.metal.model.Inventory.SystemInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Inventories as the scraper gives them for real server types, built in Java, and the
 * mutations that a profile must catch. {@code n} varies serials and MACs between hosts.
 */
public final class Inventories {
    private Inventories() {}

    static final Instant SCRAPED = Instant.parse("2026-11-20T10:00:00Z");

    /** Dell R6525: 2x EPYC 7543, 16 of 32 DIMM slots with 32 GiB, 2 NVMe bays, 2x1G LOM, 2x25G in slot 2. */
    public static Inventory dellR6525(int n) {
        List<Cpu> cpus = List.of(
                new Cpu("CPU.Socket.1", "AMD", "AMD EPYC 7543 32-Core Processor", 32, 64),
                new Cpu("CPU.Socket.2", "AMD", "AMD EPYC 7543 32-Core Processor", 32, 64));
        List<Dimm> dimms = new ArrayList<>();
        for (String bank : List.of("A", "B")) {
            for (int i = 1; i <= 16; i++) {
                boolean filled = i <= 8;
                dimms.add(new Dimm("DIMM.Socket." + bank + i, filled, filled ? 32 : null, filled ? "DDR4" : null,
                        filled ? 3200 : null, filled ? "M393A4K40DB3-CWE" : null,
                        filled ? String.format("%08X", n * 100 + dimms.size()) : null));
            }
        }
        List<Drive> drives = new ArrayList<>();
        for (int bay = 0; bay < 2; bay++) {
            String serial = String.format("S6CJNA0R%06d", n * 10 + bay);
            String model = "Dell Ent NVMe v2 AGN RI U.2 3.84TB";
            drives.add(new Drive(String.valueOf(bay), "Samsung", model, serial, 3_840_755_982_336L, "NVMe", "SSD",
                    "/dev/disk/by-id/nvme-" + model.replace(' ', '_') + "_" + serial));
        }
        List<Nic> nics = List.of(
                new Nic("NIC.Embedded.1", "Broadcom Gigabit Ethernet BCM5720", "Embedded 1", "1", mac(0x10, n, 1), 1000),
                new Nic("NIC.Embedded.1", "Broadcom Gigabit Ethernet BCM5720", "Embedded 1", "2", mac(0x10, n, 2), 1000),
                new Nic("NIC.Slot.2", "Mellanox ConnectX-6 Lx 2x25G SFP28", "2", "1", mac(0x20, n, 1), 25000),
                new Nic("NIC.Slot.2", "Mellanox ConnectX-6 Lx 2x25G SFP28", "2", "2", mac(0x20, n, 2), 25000));
        SystemInfo s = new SystemInfo("System.Embedded.1", "Dell Inc.", "PowerEdge R6525", "SVC" + n, "SKU-R6525",
                "4c4c4544-0000-0000-0000-" + String.format("%012d", n), "2.14.1", "On", cpus, null, dimms, drives,
                nics, List.of());
        return new Inventory(SCRAPED, List.of(s), new Inventory.BmcInfo("7.00.00.00", mac(0x01, n, 0)), null);
    }

    /**
     * Supermicro 1U: 2x Xeon Gold 6248R, 12 of 24 slots with 32 GiB, 4 NVMe, and NICs for which the
     * BMC gives no slot: an on-board X710 (2x10G) and an add-on X710 (2x10G), told apart only by order.
     */
    public static Inventory supermicro(int n) {
        List<Cpu> cpus = List.of(
                new Cpu("CPU1", "Intel(R) Corporation", "Intel(R) Xeon(R) Gold 6248R CPU @ 3.00GHz", 24, 48),
                new Cpu("CPU2", "Intel(R) Corporation", "Intel(R) Xeon(R) Gold 6248R CPU @ 3.00GHz", 24, 48));
        List<Dimm> dimms = new ArrayList<>();
        for (int cpu = 1; cpu <= 2; cpu++) {
            for (char ch = 'A'; ch <= 'F'; ch++) {
                for (int i = 1; i <= 2; i++) {
                    boolean filled = i == 1;
                    dimms.add(new Dimm("P" + cpu + "-DIMM" + ch + i, filled, filled ? 32 : null, filled ? "DDR4" : null,
                            filled ? 2933 : null, filled ? "HMA84GR7CJR4N-WM" : null, null));
                }
            }
        }
        List<Drive> drives = new ArrayList<>();
        for (int bay = 0; bay < 4; bay++) {
            String serial = String.format("PHLN%06d1P6AGN", n * 10 + bay);
            String model = "INTEL SSDPE2KX016T8";
            drives.add(new Drive(String.valueOf(bay), "Intel", model, serial, 1_600_321_314_816L, "NVMe", "SSD",
                    "/dev/disk/by-id/nvme-" + model.replace(' ', '_') + "_" + serial));
        }
        String x710 = "Intel(R) Ethernet Controller X710 for 10GbE SFP+";
        List<Nic> nics = List.of(
                new Nic("1", x710, null, "1", mac(0x30, n, 1), 10000),
                new Nic("1", x710, null, "2", mac(0x30, n, 2), 10000),
                new Nic("2", x710, null, "1", mac(0x40, n, 1), 10000),
                new Nic("2", x710, null, "2", mac(0x40, n, 2), 10000));
        SystemInfo s = new SystemInfo("1", "Supermicro", "SYS-1029U-TN10RT", "S" + n, null, null, "3.4", "On",
                cpus, null, dimms, drives, nics, List.of());
        return new Inventory(SCRAPED, List.of(s), new Inventory.BmcInfo("01.73.12", mac(0x02, n, 0)), null);
    }

    public static String mac(int kind, int n, int port) {
        return String.format("b8:59:9f:%02x:%02x:%02x", kind, n & 0xff, port);
    }

    // --- mutations: each returns a copy of the inventory with one thing changed ---

    public static Inventory withSystem(Inventory inv, UnaryOperator<SystemInfo> change) {
        return new Inventory(inv.scrapedAt(), List.of(change.apply(inv.systems().get(0))), inv.bmc(), inv.warnings());
    }

    public static SystemInfo copy(SystemInfo s, List<Cpu> cpus, List<Dimm> dimms, List<Drive> drives, List<Nic> nics) {
        return new SystemInfo(s.id(), s.manufacturer(), s.model(), s.serial(), s.sku(), s.uuid(), s.biosVersion(),
                s.powerState(), cpus, s.gpus(), dimms, drives, nics, s.pcieDevices());
    }

    /** The DIMM in {@code slot} reported as an empty slot. */
    public static Inventory dimmRemoved(Inventory inv, String slot) {
        return withSystem(inv, s -> copy(s, s.cpus(), s.dimms().stream()
                .map(d -> d.slot().equals(slot) ? new Dimm(slot, false, null, null, null, null, null) : d).toList(),
                s.drives(), s.nics()));
    }

    /** Every port of the adapter in {@code from} now reported in slot {@code to}. */
    public static Inventory nicMoved(Inventory inv, String from, String to) {
        return withSystem(inv, s -> copy(s, s.cpus(), s.dimms(), s.drives(), s.nics().stream()
                .map(n -> from.equals(n.slot())
                        ? new Nic(n.adapter().replace(from, to), n.adapterModel(), to, n.port(), n.mac(), n.speedMbps())
                        : n).toList()));
    }

    public static Inventory driveMissing(Inventory inv, String bay) {
        return withSystem(inv, s -> copy(s, s.cpus(), s.dimms(),
                s.drives().stream().filter(d -> !bay.equals(d.bay())).toList(), s.nics()));
    }

    /** Every CPU reported as {@code model}. */
    public static Inventory cpuModel(Inventory inv, String model) {
        return withSystem(inv, s -> copy(s, s.cpus().stream()
                .map(c -> new Cpu(c.socket(), c.manufacturer(), model, c.cores(), c.threads())).toList(),
                s.dimms(), s.drives(), s.nics()));
    }
}

package dev.metal.lab;

import java.util.List;

/**
 * The hardware of one kind of lab server. The lab defines its own models; they look like
 * common 1U/2U servers without being copies of any real capture.
 */
public record ServerModel(String name, String manufacturer, String model, String biosVersion, String bmcFirmware,
                          Cpu cpu, int sockets, Dimm dimm, List<String> dimmSlots, List<Drive> drives,
                          List<Adapter> adapters) {

    public record Cpu(String manufacturer, String model, int cores, int threads) {}

    public record Dimm(int sizeMiB, String type, int speedMhz, String manufacturer, String partNumber) {}

    /** A drive in a numbered bay. */
    public record Drive(int bay, String model, long capacityBytes, String protocol, String media) {}

    /** A network adapter in a PCIe slot (slot 0: on the board, the LOM). */
    public record Adapter(int slot, String manufacturer, String model, int ports, int speedMbps) {}

    /** All lab models, in the order servers are given them (server n gets model n mod size). */
    public static final List<ServerModel> ALL = List.of(
            new ServerModel("lab-1u-compute", "Metal Lab", "ML-110 Compute", "1.4.2", "3.10.7",
                    new Cpu("AMD", "AMD EPYC 7443 24-Core Processor", 24, 48), 2,
                    new Dimm(32768, "DDR4", 3200, "Hynix", "HMAA4GR7AJR8N-XN"),
                    slots("A1 A2 B1 B2 C1 C2 D1 D2 E1 E2 F1 F2 G1 G2 H1 H2"),
                    List.of(new Drive(0, "SAMSUNG MZQL2960HCJR-00A07", 960_197_124_096L, "NVMe", "SSD"),
                            new Drive(1, "SAMSUNG MZQL2960HCJR-00A07", 960_197_124_096L, "NVMe", "SSD")),
                    List.of(new Adapter(0, "Intel", "I350 Gigabit Network Connection", 2, 1000),
                            new Adapter(2, "Mellanox", "ConnectX-5 EN MCX512A-ACAT", 2, 25000))),
            new ServerModel("lab-2u-storage", "Metal Lab", "ML-220 Storage", "2.1.0", "3.10.7",
                    new Cpu("Intel", "Intel(R) Xeon(R) Silver 4314 CPU @ 2.40GHz", 16, 32), 1,
                    new Dimm(16384, "DDR4", 2666, "Micron", "MTA18ASF2G72PZ-2G9"),
                    slots("A1 A2 B1 B2 C1 C2 D1 D2"),
                    List.of(new Drive(0, "INTEL SSDPE2KX010T8", 1_000_204_886_016L, "NVMe", "SSD"),
                            new Drive(2, "ST8000NM000A-2KE101", 8_001_563_222_016L, "SATA", "HDD"),
                            new Drive(3, "ST8000NM000A-2KE101", 8_001_563_222_016L, "SATA", "HDD"),
                            new Drive(4, "ST8000NM000A-2KE101", 8_001_563_222_016L, "SATA", "HDD"),
                            new Drive(5, "ST8000NM000A-2KE101", 8_001_563_222_016L, "SATA", "HDD")),
                    List.of(new Adapter(0, "Intel", "I350 Gigabit Network Connection", 2, 1000),
                            new Adapter(1, "Intel", "Ethernet Controller X710 for 10GbE SFP+", 2, 10000))));

    private static List<String> slots(String names) {
        return List.of(names.split(" "));
    }
}

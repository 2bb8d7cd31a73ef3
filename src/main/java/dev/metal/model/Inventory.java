package dev.metal.model;

import java.time.Instant;
import java.util.List;

/**
 * What a BMC says a server is made of, normalized across vendors. The JSON form of this
 * record is the documented contract of {@code metal inventory show --json}: fields may be
 * added, never renamed.
 */
public record Inventory(Instant scrapedAt, List<SystemInfo> systems, BmcInfo bmc, List<String> warnings) {
    public Inventory {
        systems = systems == null ? List.of() : List.copyOf(systems);
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }

    /** One ComputerSystem that the BMC manages. */
    public record SystemInfo(String id, String manufacturer, String model, String serial, String sku, String uuid,
                             String biosVersion, String powerState, List<Cpu> cpus, List<Gpu> gpus, List<Dimm> dimms,
                             List<Drive> drives, List<Nic> nics, List<PcieDevice> pcieDevices) {
        public SystemInfo {
            cpus = cpus == null ? List.of() : List.copyOf(cpus);
            gpus = gpus == null ? List.of() : List.copyOf(gpus);
            dimms = dimms == null ? List.of() : List.copyOf(dimms);
            drives = drives == null ? List.of() : List.copyOf(drives);
            nics = nics == null ? List.of() : List.copyOf(nics);
            pcieDevices = pcieDevices == null ? List.of() : List.copyOf(pcieDevices);
        }
    }

    public record Cpu(String socket, String manufacturer, String model, Integer cores, Integer threads) {}

    public record Gpu(String slot, String manufacturer, String model) {}

    /** A DIMM slot; an empty slot has {@code populated == false} and no size. */
    public record Dimm(String slot, boolean populated, Integer sizeGiB, String type, Integer speedMhz,
                       String partNumber, String serial) {}

    /**
     * A present drive; {@code byIdPath} is the name Linux gives it under /dev/disk/by-id (for
     * example nvme-MODEL_SERIAL), without the folder. The profile match holds the full path.
     */
    public record Drive(String bay, String manufacturer, String model, String serial, Long capacityBytes,
                        String protocol, String media, String byIdPath) {}

    /** One network port: {@code mac} in lower-case colon form; {@code slot} is null when the BMC does not say. */
    public record Nic(String adapter, String adapterModel, String slot, String port, String mac, Integer speedMbps) {}

    public record PcieDevice(String slot, String manufacturer, String model, String deviceClass) {}

    public record BmcInfo(String firmware, String mac) {}
}

package dev.metal.model;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One known hardware configuration, as written in a profile file (YAML): what the server
 * must be, and the names it gives to NIC ports and drive bays. Patterns (manufacturer,
 * models) are globs: {@code *} any text, {@code ?} one character, case-insensitive.
 * A part the profile leaves out (null) is not checked.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"name", "description", "system", "cpus", "memory", "drives", "nics"})
public record Profile(String name, String description, SystemSpec system, CpuSpec cpus, MemorySpec memory,
                      List<DriveSpec> drives, List<NicSpec> nics) {
    public Profile {
        drives = drives == null ? null : List.copyOf(drives);
        nics = nics == null ? null : List.copyOf(nics);
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SystemSpec(String manufacturer, String model) {}

    /** {@code count} CPUs, each one's model matching {@code model}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CpuSpec(Integer count, String model) {}

    /**
     * {@code dimms}: slot name (as the BMC reports it) to size in GiB for every populated
     * slot; a slot not listed must be empty. A null size means populated, any size.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"totalGiB", "dimms"})
    public record MemorySpec(Integer totalGiB, Map<String, Integer> dimms) {
        public MemorySpec {
            dimms = dimms == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(dimms));
        }
    }

    /**
     * A drive bay: the drive in it and the name it gets. Without {@code bay}, the entry
     * takes the next drive for which the BMC reports no bay, in inventory order.
     * {@code minCapacityGB} is in decimal GB, as drive labels use.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"bay", "protocol", "model", "minCapacityGB", "name", "boot"})
    public record DriveSpec(String bay, String protocol, String model, Long minCapacityGB, String name,
                            Boolean boot) {}

    /**
     * A NIC adapter: in PCIe slot or location {@code slot} (as the BMC reports it), or,
     * without a slot, the next adapter whose model matches {@code adapterModel}, in inventory
     * order. {@code names} name its ports in port order.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"slot", "adapterModel", "speedMbps", "ports", "names"})
    public record NicSpec(@JsonAlias("location") String slot, String adapterModel, Integer speedMbps,
                          Integer ports, List<String> names) {
        public NicSpec {
            names = names == null ? null : Collections.unmodifiableList(new java.util.ArrayList<>(names));
        }
    }
}

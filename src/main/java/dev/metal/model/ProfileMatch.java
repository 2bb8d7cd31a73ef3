package dev.metal.model;

import java.util.List;
import java.util.Map;

/**
 * The profile a host matched and the names it resolves to: NIC names to ports,
 * disk names to drives. {@code bootDisk} is the boot disk's /dev/disk/by-id path.
 * {@code evidence} says how NICs were matched (by slot, or by adapter model and port
 * order when the BMC gave no slot). When no profile matched, {@code profile} is null and
 * {@code miss} names the nearest profile and every difference to it.
 */
public record ProfileMatch(String profile, Map<String, NamedNic> nics, Map<String, NamedDisk> disks,
                           String bootDisk, String evidence, Miss miss) {
    public ProfileMatch {
        nics = nics == null ? Map.of() : nics;
        disks = disks == null ? Map.of() : disks;
    }

    public ProfileMatch(String profile, Map<String, NamedNic> nics, Map<String, NamedDisk> disks,
                        String bootDisk, String evidence) {
        this(profile, nics, disks, bootDisk, evidence, null);
    }

    /** The record of a failed match: no names, only the differences. */
    public static ProfileMatch missed(Miss miss) {
        return new ProfileMatch(null, Map.of(), Map.of(), null, null, miss);
    }

    public record NamedNic(String name, String mac, String slot, String port, Integer speedMbps) {}

    public record NamedDisk(String name, String bay, String byIdPath, String serial, Long capacityBytes) {}

    /** The differences to the nearest profile when no profile matched. */
    public record Miss(String nearestProfile, List<String> differences) {
        public Miss {
            differences = differences == null ? List.of() : List.copyOf(differences);
        }
    }
}

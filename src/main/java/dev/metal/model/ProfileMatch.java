package dev.metal.model;

import java.util.List;
import java.util.Map;

/**
 * The profile a host matched and the names it resolves to: NIC names to ports,
 * disk names to drives. {@code evidence} says how NICs were matched (by slot, or by
 * adapter model and port order when the BMC gave no slot).
 */
public record ProfileMatch(String profile, Map<String, NamedNic> nics, Map<String, NamedDisk> disks,
                           String bootDisk, String evidence) {
    public record NamedNic(String name, String mac, String slot, String port, Integer speedMbps) {}

    public record NamedDisk(String name, String bay, String byIdPath, String serial, Long capacityBytes) {}

    /** The differences to the nearest profile when no profile matched. */
    public record Miss(String nearestProfile, List<String> differences) {}
}

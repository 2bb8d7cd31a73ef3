package dev.metal.provision;

import java.util.List;

/**
 * What a provision did, host by host. Each slot is one host asked for; its attempts say
 * which hosts were tried and why a host was quarantined. The {@code *Ms} figures count
 * from the start of the command: when the boot-device and power commands had reached the
 * BMC, when the host phoned home, and when it was active.
 */
public record ProvisionReport(List<String> requests, List<Slot> slots, boolean dryRun, List<Placement.Choice> plan) {

    public record Attempt(String host, String rack, String result, String reason) {}

    public record Slot(int slot, String host, String status, List<Attempt> attempts,
                       Long bootCommandMs, Long powerCommandMs, Long phoneHomeMs, Long activeMs) {}

    public long active() {
        return slots.stream().filter(s -> s.status().equals("active")).count();
    }

    public long failed() {
        return slots.size() - active();
    }
}

package dev.metal.model;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One server, as the state file knows it. Each capability owns a part: import the
 * identity and BMC, scrape the inventory, match the profile, render the addresses,
 * provision the attempt. {@code state} only moves through {@link #moveTo}.
 */
public record Host(String hostname, String rack, int u, Bmc bmc, String mgmtMac, String serial, List<String> tags,
                   HostState state, String stateReason, Instant stateSince,
                   Inventory inventory, Inventory previousInventory,
                   ProfileMatch match, Map<String, String> addresses, Provisioning provisioning) {

    public Host {
        tags = tags == null ? List.of() : List.copyOf(tags);
        addresses = addresses == null ? Map.of() : Map.copyOf(addresses);
    }

    /** A freshly imported host. */
    public static Host imported(String hostname, String rack, int u, Bmc bmc, String mgmtMac, String serial,
                                List<String> tags, Instant now) {
        return new Host(hostname, rack, u, bmc, mgmtMac, serial, tags, HostState.IMPORTED, null, now,
                null, null, null, null, null);
    }

    /** Moves through the state machine; a forbidden move throws {@link TransitionException}. */
    public Host moveTo(HostState target, String reason, Instant now) {
        HostState next = state.moveTo(target, hostname);
        return new Host(hostname, rack, u, bmc, mgmtMac, serial, tags, next, reason, now,
                inventory, previousInventory, match, addresses, provisioning);
    }

    public Host withIdentity(String newRack, int newU, Bmc newBmc, String newMgmtMac, String newSerial,
                             List<String> newTags) {
        return new Host(hostname, newRack, newU, newBmc, newMgmtMac, newSerial, newTags, state, stateReason,
                stateSince, inventory, previousInventory, match, addresses, provisioning);
    }

    public Host withBmc(Bmc newBmc) {
        return withIdentity(rack, u, newBmc, mgmtMac, serial, tags);
    }

    /** Stores a new inventory; the one before is kept for {@code inventory diff}. */
    public Host withInventory(Inventory newInventory) {
        return new Host(hostname, rack, u, bmc, mgmtMac, serial, tags, state, stateReason, stateSince,
                newInventory, inventory, match, addresses, provisioning);
    }

    public Host withMatch(ProfileMatch newMatch) {
        return new Host(hostname, rack, u, bmc, mgmtMac, serial, tags, state, stateReason, stateSince,
                inventory, previousInventory, newMatch, addresses, provisioning);
    }

    public Host withAddresses(Map<String, String> newAddresses) {
        return new Host(hostname, rack, u, bmc, mgmtMac, serial, tags, state, stateReason, stateSince,
                inventory, previousInventory, match, newAddresses, provisioning);
    }

    public Host withProvisioning(Provisioning newProvisioning) {
        return new Host(hostname, rack, u, bmc, mgmtMac, serial, tags, state, stateReason, stateSince,
                inventory, previousInventory, match, addresses, newProvisioning);
    }

    /** The profile this host matched, or null (not matched yet, or the match failed). */
    public String profile() {
        return match == null ? null : match.profile();
    }

    /** Whether the site plan gave this host its addresses in the rack it is in now ('metal site set'). */
    public boolean hasSiteAddresses() {
        return rack.equals(addresses.get("rack"));
    }

    public boolean hasTag(String tag) {
        return tags.contains(tag);
    }
}

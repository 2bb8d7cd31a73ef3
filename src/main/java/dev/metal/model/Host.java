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

    /**
     * The management (PXE) NIC's MAC: the rack CSV's mgmt_mac, else the MAC of the NIC that the
     * site plan's {@code nics.mgmt} names in the matched profile; null while neither is known.
     */
    public String managementMac(Site site) {
        if (mgmtMac != null) return mgmtMac;
        ProfileMatch.NamedNic nic = scrapedMgmtNic(site);
        return nic == null ? null : nic.mac();
    }

    /** The NIC that the site plan's {@code nics.mgmt} names in the matched profile, or null. */
    public ProfileMatch.NamedNic scrapedMgmtNic(Site site) {
        if (site == null || site.nics() == null || profile() == null) return null;
        String name = site.nics().get("mgmt");
        return name == null ? null : match.nics().get(name);
    }

    /** Why {@link #managementMac} is null, in words a user can act on. */
    public String unknownManagementMac(Site site) {
        String nic = site == null || site.nics() == null ? null : site.nics().get("mgmt");
        if (nic == null) {
            return hostname + ": management MAC unknown: the rack CSV gives no mgmt_mac and the site plan names no"
                    + " mgmt NIC (nics.mgmt)";
        }
        if (profile() == null) {
            return hostname + ": management MAC unknown: the rack CSV gives no mgmt_mac and the host has no profile"
                    + " match yet ('metal scrape', then 'metal match')";
        }
        return hostname + ": management MAC unknown: the rack CSV gives no mgmt_mac and profile " + profile()
                + " has no NIC " + nic + " (the site plan's nics.mgmt)";
    }

    /** The host with this management MAC (for showing the one derived from the scrape). */
    public Host withMgmtMac(String mac) {
        return withIdentity(rack, u, bmc, mac, serial, tags);
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

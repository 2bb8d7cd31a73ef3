package dev.metal.render;

import dev.metal.model.Host;
import dev.metal.model.Inventory;
import dev.metal.model.ProfileMatch;
import dev.metal.model.Site;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Hosts and the site plan as an Ansible dynamic inventory: what 'ansible-inventory --list'
 * and '--host NAME' ask an inventory script for. This is a consumer's format, so its
 * variables are snake_case as Ansible's are, not the camelCase of metal's own JSON.
 *
 * <p>Groups: {@code rack_R}, {@code profile_P}, {@code state_S} and {@code tag_T}, under the
 * parents {@code racks}, {@code profiles}, {@code states} and {@code tags}. See {@link #groupName}.
 *
 * <p>Host variables: {@code rack}, {@code u}, {@code state}, {@code tags}, {@code profile},
 * {@code bmc} (address, mac), {@code addresses} (the site plan's, nested by network and
 * family), {@code nics.NAME} (mac, slot, port, speed in Mb/s) and {@code drive_bays.NAME}
 * (bay, device_model, serial_number, by_id_path, capacity in bytes, boot). Never a
 * password or a token: nothing here reads one.
 */
public final class AnsibleInventory {
    private AnsibleInventory() {}

    /** Where udev puts the stable names of disks. */
    public static final String BY_ID = "/dev/disk/by-id/";

    private static final Pattern NOT_IN_GROUP_NAME = Pattern.compile("[^A-Za-z0-9_]");
    private static final Pattern CIDR = Pattern.compile("[0-9A-Fa-f:.]+/\\d{1,3}");
    private static final Pattern NUMBER = Pattern.compile("\\d{1,18}");
    private static final Pattern URL_USER_INFO = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*://)[^/@]*@");

    /**
     * The answer to {@code --list}: every group with its {@code hosts} and {@code children},
     * and {@code _meta.hostvars} with every host's variables, so that Ansible never needs
     * to ask {@code --host}. {@code site} may be null (no plan yet).
     */
    public static Map<String, Object> list(Collection<Host> hosts, Site site) {
        List<Host> sorted = new ArrayList<>(hosts);
        sorted.sort(Comparator.comparing(Host::hostname));
        Map<String, Object> inventory = new LinkedHashMap<>();
        addGroups(inventory, "racks", "rack", sorted, h -> List.of(h.rack()));
        addGroups(inventory, "profiles", "profile", sorted, h -> h.profile() == null ? List.of() : List.of(h.profile()));
        addGroups(inventory, "states", "state", sorted, h -> List.of(h.state().label()));
        addGroups(inventory, "tags", "tag", sorted, Host::tags);
        Map<String, Object> hostvars = new LinkedHashMap<>();
        for (Host h : sorted) hostvars.put(h.hostname(), hostVars(h, site));
        inventory.put("_meta", Map.of("hostvars", hostvars));
        return inventory;
    }

    /** One kind of group: a parent whose children are a group per value the hosts have; none when no host has one. */
    private static void addGroups(Map<String, Object> inventory, String parent, String prefix, List<Host> hosts,
                                  Function<Host, Collection<String>> values) {
        Map<String, Set<String>> members = new TreeMap<>();
        for (Host h : hosts) {
            for (String value : values.apply(h)) {
                members.computeIfAbsent(groupName(prefix, value), g -> new TreeSet<>()).add(h.hostname());
            }
        }
        if (members.isEmpty()) return;
        inventory.put(parent, group(List.of(), members.keySet()));
        members.forEach((name, names) -> inventory.put(name, group(names, List.of())));
    }

    private static Map<String, Object> group(Collection<String> hosts, Collection<String> children) {
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("hosts", List.copyOf(hosts));
        g.put("children", List.copyOf(children));
        return g;
    }

    /**
     * A group name Ansible takes without a warning: {@code prefix}, an underscore, then the
     * value with every character other than an ASCII letter, digit or underscore turned
     * into an underscore ({@code lab-r1} in rack_lab_r1). Case is kept. Values that differ
     * only in such characters share a group.
     */
    public static String groupName(String prefix, String value) {
        return prefix + "_" + NOT_IN_GROUP_NAME.matcher(value).replaceAll("_");
    }

    /** The answer to {@code --host NAME}: one host's variables. */
    public static Map<String, Object> hostVars(Host h, Site site) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("rack", h.rack());
        v.put("u", h.u());
        v.put("state", h.state().label());
        v.put("tags", h.tags());
        putIfSet(v, "profile", h.profile());
        Map<String, Object> bmc = new LinkedHashMap<>();
        putIfSet(bmc, "address", h.bmc().address() == null ? null
                : URL_USER_INFO.matcher(h.bmc().address().trim()).replaceFirst("$1"));
        putIfSet(bmc, "mac", h.bmc().mac());
        v.put("bmc", bmc);
        v.put("addresses", addresses(h, site));
        v.put("nics", nics(h.match()));
        v.put("drive_bays", driveBays(h));
        return v;
    }

    /**
     * The site plan's addresses, nested: {@code public.ipv4} becomes
     * {@code addresses.public.ipv4} as {address, prefix, gateway}, {@code bgp.asn} a number.
     * A network names the NIC the site plan puts it on. Empty until 'metal site set' placed
     * the host in the rack it is in now.
     */
    private static Map<String, Object> addresses(Host h, Site site) {
        Map<String, Object> out = new TreeMap<>();
        if (!h.hasSiteAddresses()) return out;
        Site.Rack rack = site == null ? null : site.rack(h.rack());
        for (Map.Entry<String, String> e : new TreeMap<>(h.addresses()).entrySet()) {
            String key = e.getKey();
            // The rack is a host variable of its own; the index is the allocator's bookkeeping.
            if (key.equals("rack") || key.equals("index")) continue;
            int dot = key.indexOf('.');
            if (dot < 0) {
                out.put(key, typed(e.getValue(), null));
                continue;
            }
            String network = key.substring(0, dot);
            String family = key.substring(dot + 1);
            @SuppressWarnings("unchecked")
            Map<String, Object> net = (Map<String, Object>) out.computeIfAbsent(network, n -> {
                Map<String, Object> m = new LinkedHashMap<>();
                putIfSet(m, "nic", site == null || site.nics() == null ? null : site.nics().get(n));
                return m;
            });
            net.put(family, typed(e.getValue(), gateway(rack, network, family)));
        }
        return out;
    }

    private static Object typed(String value, String gateway) {
        if (value == null) return null;
        if (CIDR.matcher(value).matches()) {
            int slash = value.indexOf('/');
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("address", value.substring(0, slash));
            a.put("prefix", Integer.parseInt(value.substring(slash + 1)));
            putIfSet(a, "gateway", gateway);
            return a;
        }
        if (NUMBER.matcher(value).matches()) return Long.parseLong(value);
        return value;
    }

    private static String gateway(Site.Rack rack, String network, String family) {
        if (rack == null) return null;
        Site.Network n = switch (network) {
            case "public" -> rack.publicNet();
            case "mgmt" -> rack.mgmt();
            case "bmc" -> rack.bmc();
            default -> null;
        };
        if (n == null) return null;
        return switch (family) {
            case "ipv4" -> n.gateway4();
            case "ipv6" -> n.gateway6();
            default -> null;
        };
    }

    private static Map<String, Object> nics(ProfileMatch match) {
        Map<String, Object> out = new TreeMap<>();
        if (match == null) return out;
        for (ProfileMatch.NamedNic n : match.nics().values()) {
            Map<String, Object> nic = new LinkedHashMap<>();
            putIfSet(nic, "mac", n.mac());
            putIfSet(nic, "slot", n.slot());
            putIfSet(nic, "port", n.port());
            putIfSet(nic, "speed", n.speedMbps());
            out.put(n.name(), nic);
        }
        return out;
    }

    /**
     * The profile's named drives. {@code device_model} and {@code serial_number} are spelled
     * as udev spells them in by-id names, so that
     * {@code /dev/disk/by-id/nvme-{{ device_model }}_{{ serial_number }}} is the drive's path.
     */
    private static Map<String, Object> driveBays(Host h) {
        Map<String, Object> out = new TreeMap<>();
        ProfileMatch match = h.match();
        if (match == null) return out;
        for (ProfileMatch.NamedDisk d : match.disks().values()) {
            Inventory.Drive drive = inventoryDrive(h.inventory(), d);
            boolean nvme = drive != null && "NVMe".equalsIgnoreCase(drive.protocol());
            Map<String, Object> bay = new LinkedHashMap<>();
            putIfSet(bay, "bay", d.bay());
            putIfSet(bay, "device_model", drive == null ? null : udevName(drive.model(), !nvme));
            putIfSet(bay, "serial_number", udevName(d.serial() != null ? d.serial() : drive == null ? null : drive.serial(),
                    !nvme));
            putIfSet(bay, "by_id_path", fullByIdPath(d.byIdPath()));
            putIfSet(bay, "capacity", d.capacityBytes());
            bay.put("boot", isBoot(match, d));
            out.put(d.name(), bay);
        }
        return out;
    }

    /** The inventory's drive behind a named disk: by serial, else by bay. */
    private static Inventory.Drive inventoryDrive(Inventory inventory, ProfileMatch.NamedDisk d) {
        if (inventory == null || inventory.systems().isEmpty()) return null;
        List<Inventory.Drive> drives = inventory.systems().get(0).drives();
        if (d.serial() != null) {
            for (Inventory.Drive drive : drives) if (d.serial().equals(drive.serial())) return drive;
        }
        if (d.bay() != null) {
            for (Inventory.Drive drive : drives) if (d.bay().equals(drive.bay())) return drive;
        }
        return null;
    }

    /** The match records a by-id path either as udev's name alone or as the full path: always the full path here. */
    static String fullByIdPath(String byId) {
        if (byId == null || byId.isBlank()) return null;
        return byId.startsWith("/") ? byId : BY_ID + byId;
    }

    private static boolean isBoot(ProfileMatch match, ProfileMatch.NamedDisk d) {
        String boot = match.bootDisk();
        if (boot == null) return false;
        // The match names its boot disk by by-id path (either form) or, from older states, by disk name.
        return boot.equals(d.name()) || (d.byIdPath() != null && fullByIdPath(boot).equals(fullByIdPath(d.byIdPath())));
    }

    /**
     * A drive model or serial as udev writes it into a /dev/disk/by-id name: trimmed, and
     * every character outside {@code A-Z a-z 0-9 # + - . : = @ _} (non-ASCII letters stay)
     * made {@code _}. For ATA and SCSI drives udev first turns each run of whitespace into
     * one {@code _}; for NVMe drives each space becomes its own {@code _}.
     */
    static String udevName(String text, boolean collapseWhitespace) {
        if (text == null) return null;
        String t = text.strip();
        if (t.isEmpty()) return null;
        if (collapseWhitespace) t = t.replaceAll("\\s+", "_");
        StringBuilder b = new StringBuilder(t.length());
        t.codePoints().forEach(c -> b.appendCodePoint(c > 0x7f || safe(c) ? c : '_'));
        return b.toString();
    }

    private static boolean safe(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "#+-.:=@_".indexOf(c) >= 0;
    }

    private static void putIfSet(Map<String, Object> m, String key, Object value) {
        if (value != null) m.put(key, value);
    }
}

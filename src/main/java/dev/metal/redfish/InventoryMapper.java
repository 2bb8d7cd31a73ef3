package dev.metal.redfish;

import com.fasterxml.jackson.databind.JsonNode;
import dev.metal.model.Inventory;
import dev.metal.model.Inventory.BmcInfo;
import dev.metal.model.Inventory.Cpu;
import dev.metal.model.Inventory.Dimm;
import dev.metal.model.Inventory.Drive;
import dev.metal.model.Inventory.Gpu;
import dev.metal.model.Inventory.Nic;
import dev.metal.model.Inventory.PcieDevice;
import dev.metal.model.Inventory.SystemInfo;
import dev.metal.model.Macs;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns the resources a walk read into the normalized inventory. Vendors differ in where
 * they put things (a slot in Oem, a model in Name, MACs without separators, DIMM sizes in
 * decimal units); this class knows those shapes. What it cannot make sense of becomes a
 * warning, never an exception.
 */
public final class InventoryMapper {
    /** Serial numbers that name no drive: placeholders some BMCs (and captures) put there. */
    private static final Set<String> NO_SERIAL = Set.of("", "removed_from_mock", "n/a", "na", "not available",
            "unknown", "none", "0", "to be filled by o.e.m.", "not specified", "null");

    private final Map<String, JsonNode> resources;
    private final List<String> warnings = new ArrayList<>();

    private InventoryMapper(Map<String, JsonNode> resources, List<String> walkWarnings) {
        this.resources = resources;
        this.warnings.addAll(walkWarnings);
    }

    public static Inventory map(Walk.Result walk, Instant scrapedAt) {
        return new InventoryMapper(walk.resources(), walk.warnings()).inventory(scrapedAt);
    }

    private Inventory inventory(Instant scrapedAt) {
        JsonNode root = get("/redfish/v1");
        List<JsonNode> systems = members(root == null ? null : root.get("Systems"));
        List<JsonNode> chassis = members(root == null ? null : root.get("Chassis"));
        List<SystemInfo> out = new ArrayList<>();
        for (JsonNode s : systems) {
            // A shape no BMC was seen to send must cost that system, with a warning, not the whole scrape.
            try {
                out.add(system(s, systems.size() == 1 ? chassis : chassisOf(s)));
            } catch (RuntimeException e) {
                warnings.add(where(s) + ": could not be read (internal error, please report: " + e + ")");
            }
        }
        BmcInfo bmc = null;
        try {
            bmc = bmc(members(root == null ? null : root.get("Managers")));
        } catch (RuntimeException e) {
            warnings.add("/redfish/v1/Managers: could not be read (internal error, please report: " + e + ")");
        }
        return new Inventory(scrapedAt, out, bmc, dedupe(warnings));
    }

    /** The URI of a resource, for warnings. */
    private static String where(JsonNode r) {
        JsonNode id = r.path("@odata.id");
        return id.isTextual() ? Uris.path(id.asText()) : "a resource without @odata.id";
    }

    private SystemInfo system(JsonNode s, List<JsonNode> chassis) {
        String sysId = text(s, "Id");
        List<Cpu> cpus = new ArrayList<>();
        List<Gpu> gpus = new ArrayList<>();
        for (JsonNode p : members(s.get("Processors"))) {
            if (absent(p)) continue;
            String type = text(p, "ProcessorType");
            String socket = first(text(p, "Socket"), serviceLabel(p), text(p, "Id"));
            if (type != null && type.equalsIgnoreCase("GPU")) {
                gpus.add(new Gpu(socket, text(p, "Manufacturer"), text(p, "Model")));
            } else if (type == null || type.equalsIgnoreCase("CPU")) {
                cpus.add(new Cpu(socket, text(p, "Manufacturer"), first(text(p, "Model"), text(p, "Name")),
                        integer(p, "TotalCores"), integer(p, "TotalThreads")));
            }
        }
        List<Dimm> dimms = new ArrayList<>();
        for (JsonNode m : members(s.get("Memory"))) dimms.add(dimm(m));
        List<Drive> drives = drives(s, chassis);
        List<Nic> nics = nics(s, chassis);
        List<PcieDevice> pcie = pcie(s, chassis);
        return new SystemInfo(sysId, text(s, "Manufacturer"), text(s, "Model"), text(s, "SerialNumber"),
                text(s, "SKU"), text(s, "UUID"), text(s, "BiosVersion"), text(s, "PowerState"), cpus, gpus, dimms,
                drives, nics, pcie);
    }

    // ---- memory ----

    private Dimm dimm(JsonNode m) {
        String slot = first(text(m, "DeviceLocator"), serviceLabel(m), memoryLocation(m), text(m, "Name"),
                text(m, "Id"));
        JsonNode cap = m.get("CapacityMiB");
        boolean populated = !absent(m) && cap != null && cap.isNumber() && cap.asLong() > 0;
        Integer gib = null;
        if (populated) {
            gib = gib(cap.asLong());
            if (gib == null) warnings.add("DIMM " + slot + ": size " + cap.asLong() + " MiB is not a whole GiB");
        }
        String part = first(text(m, "PartNumber"), text(m.path("Oem").path("Hpe"), "PartNumber"));
        String type = text(m, "MemoryDeviceType");
        Integer speed = integer(m, "OperatingSpeedMhz");
        if (!populated) return new Dimm(slot, false, null, null, null, null, null);
        return new Dimm(slot, true, gib, type, speed, part, text(m, "SerialNumber"));
    }

    /** MiB as whole GiB; also the decimal spelling some BMCs use (16 GB reported as 15625 "MiB" of 1,024,000 bytes). */
    static Integer gib(long mib) {
        if (mib % 1024 == 0) return (int) (mib / 1024);
        double decimal = mib * 1.024 / 1000.0;
        if (Math.abs(decimal - Math.round(decimal)) < 0.01) return (int) Math.round(decimal);
        double binary = mib / 1024.0;
        if (Math.abs(binary - Math.round(binary)) < 0.02 * binary) return (int) Math.round(binary);
        return null;
    }

    private static String memoryLocation(JsonNode m) {
        JsonNode l = m.get("MemoryLocation");
        if (l == null || !l.isObject() || !l.has("Socket")) return null;
        return "socket " + l.path("Socket").asText() + " channel " + l.path("Channel").asText()
                + " slot " + l.path("Slot").asText();
    }

    // ---- drives ----

    private List<Drive> drives(JsonNode s, List<JsonNode> chassis) {
        Map<String, Drive> byKey = new LinkedHashMap<>();
        List<JsonNode> storage = members(s.get("Storage"));
        for (JsonNode st : storage) {
            for (JsonNode d : refsOf(st.get("Drives"))) addDrive(byKey, d);
        }
        for (JsonNode c : chassis) {
            for (JsonNode d : members(c.get("Drives"))) addDrive(byKey, d);
            for (JsonNode d : refsOf(c.path("Links").get("Drives"))) addDrive(byKey, d);
        }
        // Older iLOs list drives only in their SmartStorage view; a drive also seen above counts once (its serial).
        for (String oem : new String[] {"Hpe", "Hp"}) {
            JsonNode smart = get(linkOf(s.path("Oem").path(oem).path("Links").get("SmartStorage")));
            if (smart == null) continue;
            for (JsonNode controller : members(smart.path("Links").get("ArrayControllers"))) {
                String slot = text(controller, "Location");
                slot = slot == null ? null : slot.replaceFirst("(?i)^slot\\s*", "");
                for (JsonNode d : members(controller.path("Links").get("PhysicalDrives"))) {
                    addSmartStorageDrive(byKey, d, slot);
                }
            }
        }
        if (storage.isEmpty()) {
            for (JsonNode ss : members(s.get("SimpleStorage"))) {
                int i = 0;
                for (JsonNode dev : ss.path("Devices")) {
                    i++;
                    if (absent(dev)) continue;
                    String name = text(dev, "Name");
                    String model = first(text(dev, "Model"), name);
                    Drive d = new Drive(first(name, "device " + i), text(dev, "Manufacturer"), model, null,
                            capacity(dev), null, null, null);
                    byKey.putIfAbsent("simple:" + text(ss, "Id") + ":" + i, d);
                }
            }
        }
        return unambiguousByIds(new ArrayList<>(byKey.values()));
    }

    /**
     * A /dev/disk/by-id name is worth giving only when it names one drive: two drives that report the
     * same WWN (a capture has two) would have an installer pick either. Both lose the name, with a warning.
     */
    private List<Drive> unambiguousByIds(List<Drive> drives) {
        Map<String, List<Drive>> byPath = new LinkedHashMap<>();
        for (Drive d : drives) if (d.byIdPath() != null) byPath.computeIfAbsent(d.byIdPath(), k -> new ArrayList<>()).add(d);
        List<Drive> out = new ArrayList<>();
        for (Drive d : drives) {
            List<Drive> same = d.byIdPath() == null ? List.of() : byPath.get(d.byIdPath());
            if (same.size() > 1) {
                if (same.get(0) == d) {
                    warnings.add("drives " + String.join(", ", same.stream().map(x -> x.bay() + " (serial " + x.serial()
                            + ")").toList()) + " report the same identifier: no /dev/disk/by-id name for them ("
                            + d.byIdPath() + " would name more than one)");
                }
                out.add(new Drive(d.bay(), d.manufacturer(), d.model(), d.serial(), d.capacityBytes(), d.protocol(),
                        d.media(), null));
            } else {
                out.add(d);
            }
        }
        return out;
    }

    private void addDrive(Map<String, Drive> byKey, JsonNode d) {
        if (d == null || absent(d)) return;
        String serial = text(d, "SerialNumber");
        String model = first(text(d, "Model"), text(d, "Name"));
        String bay = first(serviceLabel(d), locationInfo(d), gbtSlot(d), text(d, "Name"), text(d, "Id"));
        String protocol = protocol(text(d, "Protocol"));
        String media = text(d, "MediaType");
        boolean realSerial = serial != null && !NO_SERIAL.contains(serial.toLowerCase(Locale.ROOT));
        Drive drive = new Drive(bay, text(d, "Manufacturer"), model, serial, capacity(d), protocol, media,
                realSerial ? byId(protocol, model, serial, d) : null);
        // The same drive under Storage and under Chassis counts once; a placeholder serial identifies nothing.
        JsonNode id = d.path("@odata.id");
        String key = realSerial ? "serial:" + serial
                : id.isTextual() ? "uri:" + Uris.key(id.asText()) : "bay:" + bay + ":" + byKey.size();
        byKey.putIfAbsent(key, drive);
    }

    /** HPE's SmartStorage disk: InterfaceType for the protocol, CapacityMiB (or CapacityGB), Location "1I:1:1". */
    private void addSmartStorageDrive(Map<String, Drive> byKey, JsonNode d, String controllerSlot) {
        if (d == null || absent(d)) return;
        String serial = text(d, "SerialNumber");
        String model = first(text(d, "Model"), text(d, "Name"));
        String bay = first(smartStorageBay(text(d, "Location"), controllerSlot), text(d, "Id"));
        String protocol = protocol(text(d, "InterfaceType"));
        String media = text(d, "MediaType");
        Long bytes = null;
        Integer mib = integer(d, "CapacityMiB");
        Integer gb = integer(d, "CapacityGB");
        if (mib != null) bytes = mib * 1024L * 1024L;
        else if (gb != null) bytes = gb * 1_000_000_000L;
        boolean realSerial = serial != null && !NO_SERIAL.contains(serial.toLowerCase(Locale.ROOT));
        Drive drive = new Drive(bay, text(d, "Manufacturer"), model, serial, bytes, protocol, media,
                realSerial ? byId(protocol, model, serial, d) : null);
        JsonNode id = d.path("@odata.id");
        String key = realSerial ? "serial:" + serial
                : id.isTextual() ? "uri:" + Uris.key(id.asText()) : "bay:" + bay + ":" + byKey.size();
        byKey.putIfAbsent(key, drive);
    }

    /**
     * The bay as the standard Drive view of the same iLO names it ("Slot=12:Port=2I:Box=1:Bay=1"), from the
     * SmartStorage location "2I:1:1" (port:box:bay) and its controller's "Slot 12", so that profiles match either.
     */
    static String smartStorageBay(String location, String controllerSlot) {
        if (location == null) return null;
        String[] p = location.split(":");
        if (p.length != 3) return location;
        return (controllerSlot == null ? "" : "Slot=" + controllerSlot + ":") + "Port=" + p[0] + ":Box=" + p[1] + ":Bay=" + p[2];
    }

    private static String linkOf(JsonNode link) {
        if (link == null || !link.isObject()) return null;
        JsonNode id = link.path("@odata.id");
        return id.isTextual() ? id.asText() : null;
    }

    private static String protocol(String p) {
        if (p == null) return null;
        return switch (p.toUpperCase(Locale.ROOT)) {
            case "NVME" -> "NVMe";
            case "SAS" -> "SAS";
            case "SATA" -> "SATA";
            default -> p;
        };
    }

    /** The /dev/disk/by-id name udev gives the drive (from its model and serial, as the kernel reports them). */
    static String byId(String protocol, String model, String serial, JsonNode d) {
        if (protocol == null || model == null) return null;
        String m = model.trim().replaceAll("\\s+", "_");
        String sn = serial.trim().replaceAll("\\s+", "_");
        switch (protocol) {
            case "SATA":
                return "ata-" + m + "_" + sn;
            case "NVMe":
                return "nvme-" + m + "_" + sn;
            case "SAS": {
                for (JsonNode id : d.path("Identifiers")) {
                    String name = text(id, "DurableName");
                    if (name != null && "NAA".equalsIgnoreCase(text(id, "DurableNameFormat"))) {
                        return "wwn-0x" + name.toLowerCase(Locale.ROOT).replace(":", "");
                    }
                }
                return null;
            }
            default:
                return null;
        }
    }

    private Long capacity(JsonNode d) {
        JsonNode c = d.get("CapacityBytes");
        if (c == null || c.isNull()) return null;
        if (c.isNumber()) return c.asLong();
        try {
            return Long.parseLong(c.asText().trim());
        } catch (NumberFormatException e) {
            warnings.add("drive " + text(d, "Id") + ": capacity '" + c.asText() + "' is not a number");
            return null;
        }
    }

    // ---- network ----

    private List<Nic> nics(JsonNode s, List<JsonNode> chassis) {
        Map<String, Nic> byMac = new LinkedHashMap<>();
        Map<String, String> oemSlots = hpeSlots(s);
        for (JsonNode c : chassis) {
            for (JsonNode a : members(c.get("NetworkAdapters"))) {
                String adapter = first(text(a, "Id"), text(a, "Name"));
                String adapterModel = first(text(a, "Model"), text(a, "Name"));
                String slot = first(serviceLabel(a), oemLocation(a));
                List<JsonNode> ports = new ArrayList<>(members(a.get("NetworkPorts")));
                ports.addAll(members(a.get("Ports")));
                Map<String, JsonNode> portByMac = new LinkedHashMap<>();
                for (JsonNode p : ports) {
                    for (String addr : portAddresses(p)) {
                        String mac = Macs.normalize(addr);
                        if (mac != null) portByMac.putIfAbsent(mac, p);
                    }
                }
                Set<JsonNode> portsWithFunctions = new java.util.HashSet<>();
                for (JsonNode f : members(a.get("NetworkDeviceFunctions"))) {
                    JsonNode eth = f.path("Ethernet");
                    String mac = mac(first(text(eth, "PermanentMACAddress"), text(eth, "MACAddress")),
                            "function " + text(f, "Id") + " of " + adapter);
                    if (mac == null) continue;
                    JsonNode port = get(first(link(f.path("Links"), "PhysicalPortAssignment"),
                            link(f.path("Links"), "PhysicalNetworkPortAssignment"), link(f.path("Links"), "NetworkPort")));
                    if (port == null) port = portByMac.get(mac);
                    if (port != null) portsWithFunctions.add(port);
                    String portName = port == null ? text(f, "Id") : portName(port);
                    Integer speed = port == null ? null : speed(port);
                    byMac.putIfAbsent(mac, new Nic(adapter, adapterModel, first(slot, oemSlots.get(mac)), portName,
                            mac, speed));
                }
                // Ports list MACs too, but less reliably: use them only for ports no function speaks for.
                for (JsonNode p : ports) {
                    if (portsWithFunctions.contains(p)) continue;
                    {
                        for (String addr : portAddresses(p)) {
                            String mac = mac(addr, "port " + text(p, "Id") + " of " + adapter);
                            if (mac != null) {
                                byMac.putIfAbsent(mac, new Nic(adapter, adapterModel, first(slot, oemSlots.get(mac)),
                                        portName(p), mac, speed(p)));
                            }
                        }
                    }
                }
            }
        }
        for (JsonNode e : members(s.get("EthernetInterfaces"))) {
            if (toBmc(e)) continue;
            String mac = mac(first(text(e, "PermanentMACAddress"), text(e, "MACAddress")), "interface " + text(e, "Id"));
            if (mac == null) continue;
            byMac.putIfAbsent(mac, new Nic(first(text(e, "Id"), text(e, "Name")), null, oemSlots.get(mac),
                    text(e, "Id"), mac, integer(e, "SpeedMbps")));
        }
        return new ArrayList<>(byMac.values());
    }

    private static List<String> portAddresses(JsonNode p) {
        List<String> addrs = new ArrayList<>();
        for (JsonNode v : p.path("AssociatedNetworkAddresses")) addrs.add(v.asText());
        for (JsonNode v : p.path("Ethernet").path("AssociatedMACAddresses")) addrs.add(v.asText());
        return addrs;
    }

    /** HPE puts the slot of each NIC only in its BaseNetworkAdapters (Location: "PCI-E Slot 1"). */
    private Map<String, String> hpeSlots(JsonNode s) {
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode a : members(s.path("Oem").path("Hpe").path("Links").get("NetworkAdapters"))) {
            String location = text(a, "Location");
            if (location == null) continue;
            for (JsonNode p : a.path("PhysicalPorts")) {
                String mac = Macs.normalize(text(p, "MacAddress"));
                if (mac != null) out.put(mac, location);
            }
        }
        return out;
    }

    /** The USB or virtual NIC between host and BMC is not a server NIC. */
    private static boolean toBmc(JsonNode e) {
        String id = (orEmpty(text(e, "Id")) + " " + orEmpty(text(e, "Name"))).toLowerCase(Locale.ROOT);
        return id.contains("tomanager") || id.contains("host interface") || e.path("Links").has("HostInterface")
                || "Virtual".equals(text(e, "EthernetInterfaceType"));
    }

    private static String portName(JsonNode p) {
        return first(text(p, "PortId"), text(p, "Id"), text(p, "PhysicalPortNumber"), serviceLabel(p));
    }

    private static Integer speed(JsonNode p) {
        Integer s = integer(p, "CurrentLinkSpeedMbps");
        if (s != null) return s;
        s = integer(p, "CurrentSpeedGbps") == null ? null : integer(p, "CurrentSpeedGbps") * 1000;
        if (s != null) return s;
        for (JsonNode cap : p.path("SupportedLinkCapabilities")) {
            Integer v = integer(cap, "LinkSpeedMbps");
            if (v != null) return v;
        }
        return null;
    }

    /** A MAC in lower-case colon form, or null: WWNs, "Not Available" and blanks are not MACs; other junk is a warning. */
    private String mac(String text, String where) {
        if (text == null) return null;
        String t = text.trim();
        String mac = Macs.normalize(t);
        if (mac != null) return mac;
        String hex = t.replaceAll("[:.\\-]", "");
        boolean wwn = hex.matches("(?i)[0-9a-f]{16}");
        boolean zero = hex.matches("0+") || hex.matches("(?i)f+");
        if (!wwn && !zero && !NO_SERIAL.contains(t.toLowerCase(Locale.ROOT))) {
            warnings.add(where + ": '" + t + "' is not a MAC address");
        }
        return null;
    }

    // ---- PCIe ----

    private List<PcieDevice> pcie(JsonNode s, List<JsonNode> chassis) {
        Map<String, PcieDevice> byUri = new LinkedHashMap<>();
        List<JsonNode> all = new ArrayList<>(refsOf(s.get("PCIeDevices")));
        for (JsonNode c : chassis) all.addAll(refsOf(c.get("PCIeDevices")));
        for (JsonNode p : all) {
            if (absent(p)) continue;
            String slot = first(serviceLabel(p.path("Slot")), serviceLabel(p), oemLocation(p));
            byUri.putIfAbsent(Uris.key(p.path("@odata.id").asText(String.valueOf(byUri.size()))),
                    new PcieDevice(slot, text(p, "Manufacturer"), first(text(p, "Model"), text(p, "Name")),
                            first(text(p, "DeviceType"), null)));
        }
        return new ArrayList<>(byUri.values());
    }

    // ---- BMC ----

    private BmcInfo bmc(List<JsonNode> managers) {
        JsonNode bmc = managers.stream().filter(m -> "BMC".equalsIgnoreCase(text(m, "ManagerType"))).findFirst()
                .orElse(managers.isEmpty() ? null : managers.get(0));
        if (bmc == null) return null;
        String mac = null;
        for (JsonNode e : members(bmc.get("EthernetInterfaces"))) {
            String id = orEmpty(text(e, "Id")).toLowerCase(Locale.ROOT);
            if (toBmc(e) || id.contains("host") || id.startsWith("usb")) continue;
            mac = mac(first(text(e, "PermanentMACAddress"), text(e, "MACAddress")), "BMC interface " + text(e, "Id"));
            if (mac != null) break;
        }
        return new BmcInfo(text(bmc, "FirmwareVersion"), mac);
    }

    // ---- helpers ----

    private List<JsonNode> chassisOf(JsonNode system) {
        Set<String> seen = new LinkedHashSet<>();
        List<JsonNode> out = new ArrayList<>();
        List<JsonNode> todo = new ArrayList<>(refsOf(system.path("Links").get("Chassis")));
        while (!todo.isEmpty()) {
            JsonNode c = todo.remove(0);
            if (!seen.add(Uris.key(c.path("@odata.id").asText("")))) continue;
            out.add(c);
            todo.addAll(refsOf(c.path("Links").get("Contains")));
        }
        return out;
    }

    private JsonNode get(String uri) {
        return uri == null || uri.isBlank() ? null : resources.get(Uris.key(uri));
    }

    /** The members of the collection a link points to (in the BMC's order). */
    private List<JsonNode> members(JsonNode link) {
        if (link == null) return List.of();
        if (link.isArray()) return refsOf(link);
        JsonNode coll = link.has("Members") ? link : get(link.path("@odata.id").asText(null));
        if (coll == null) return List.of();
        return refsOf(coll.get("Members"));
    }

    /** The resources an array of links (or one link) points to, skipping those that were not read. */
    private List<JsonNode> refsOf(JsonNode value) {
        List<JsonNode> out = new ArrayList<>();
        if (value == null) return out;
        if (value.isArray()) {
            for (JsonNode v : value) out.addAll(refsOf(v));
        } else if (value.isObject()) {
            if (value.has("Members")) return members(value);
            JsonNode r = value.size() > 1 ? value : get(value.path("@odata.id").asText(null));
            if (r != null && r.has("Members")) return members(r);
            if (r != null) out.add(r);
        }
        return out;
    }

    private static String link(JsonNode links, String name) {
        JsonNode v = links.get(name);
        if (v == null) return null;
        if (v.isArray()) v = v.path(0);
        return v.path("@odata.id").asText(null);
    }

    private static boolean absent(JsonNode r) {
        return "Absent".equalsIgnoreCase(r.path("Status").path("State").asText(""));
    }

    private static String serviceLabel(JsonNode r) {
        for (String loc : new String[] {"PhysicalLocation", "Location"}) {
            JsonNode l = r.path(loc);
            if (l.isObject()) {
                String label = text(l.path("PartLocation"), "ServiceLabel");
                if (label != null) return label;
            }
        }
        return null;
    }

    /** The deprecated Location array: [{"Info": "M.2 Bay0", "InfoFormat": "BayId"}]. */
    private static String locationInfo(JsonNode r) {
        JsonNode l = r.path("Location");
        if (l.isArray() && l.size() > 0) return text(l.get(0), "Info");
        return null;
    }

    private static String gbtSlot(JsonNode d) {
        String slot = text(d.path("Oem").path("GBT"), "SlotNumber");
        return slot == null || slot.equalsIgnoreCase("ff") ? null : "slot " + slot;
    }

    /** Slots that vendors put only in Oem (Lenovo Location.Info, HPE Location or PhysicalSlot). */
    private static String oemLocation(JsonNode r) {
        JsonNode oem = r.path("Oem");
        String lenovo = text(oem.path("Lenovo").path("Location"), "Info");
        if (lenovo != null) return lenovo;
        JsonNode hpe = oem.path("Hpe");
        String hpeLoc = first(text(hpe, "Location"), text(hpe, "DeviceLocation"), text(hpe, "PCISlotNumber"),
                text(hpe, "PhysicalSlot"), text(hpe, "SlotNumber"));
        if (hpeLoc != null) return hpeLoc;
        return null;
    }

    /** A text property, trimmed; blanks, nulls and numbers-as-text all handled. */
    static String text(JsonNode r, String name) {
        if (r == null) return null;
        JsonNode v = r.get(name);
        if (v == null || v.isNull() || v.isContainerNode()) return null;
        String t = v.asText().trim();
        return t.isEmpty() ? null : t;
    }

    private static Integer integer(JsonNode r, String name) {
        JsonNode v = r.get(name);
        if (v == null || v.isNull()) return null;
        if (v.isNumber()) return v.asInt();
        try {
            return Integer.parseInt(v.asText().trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String first(String... values) {
        for (String v : values) if (v != null && !v.isBlank()) return v;
        return null;
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }

    private static List<String> dedupe(List<String> list) {
        return new ArrayList<>(new LinkedHashSet<>(list));
    }
}

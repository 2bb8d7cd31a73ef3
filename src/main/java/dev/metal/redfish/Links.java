package dev.metal.redfish;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Which links of a resource lead to inventory, by resource type; everything else is left unread. */
final class Links {
    private Links() {}

    /** "ComputerSystem" from "#ComputerSystem.v1_5_0.ComputerSystem"; guessed from the URI when absent. */
    /** The collections whose members make the inventory, by the last segment of their URI. */
    static final java.util.Set<String> WANTED = java.util.Set.of("systems", "chassis", "managers", "processors",
            "memory", "storage", "drives", "ethernetinterfaces", "networkadapters", "networkports", "ports",
            "networkdevicefunctions", "pciedevices", "simplestorage", "basenetworkadapters", "arraycontrollers", "diskdrives");

    /** Whether the members of the collection at this URI are inventory (USB ports are not NIC ports). */
    static boolean wanted(String uri) {
        String last = Uris.lastSegment(uri).toLowerCase(Locale.ROOT);
        if (!WANTED.contains(last)) return false;
        boolean portLike = last.equals("ports") || last.equals("networkports") || last.equals("networkdevicefunctions");
        return !portLike || uri.toLowerCase(Locale.ROOT).contains("/networkadapters/");
    }

    static String type(JsonNode r) {
        String t = r.path("@odata.type").asText("");
        if (t.startsWith("#")) t = t.substring(1);
        int dot = t.indexOf('.');
        if (dot > 0) t = t.substring(0, dot);
        if (!t.isEmpty()) return t;
        if (r.has("Members")) return "Collection";
        return "";
    }

    static boolean isCollection(JsonNode r) {
        return type(r).endsWith("Collection") || (r.has("Members") && r.path("Members").isArray());
    }

    static List<String> follow(JsonNode r) {
        return follow(r, null);
    }

    /**
     * The links of a resource worth reading; links that are broken (a member without @odata.id, an
     * @odata.id that is not text) are told to {@code problems} as "Property: what is wrong".
     */
    static List<String> follow(JsonNode r, java.util.function.Consumer<String> problems) {
        List<String> out = new ArrayList<>();
        java.util.function.Consumer<String> report = problems == null ? p -> { } : problems;
        List<String> all = follow0(r, report);
        for (String l : all) if (!out.contains(l)) out.add(l);
        return out;
    }

    private static List<String> follow0(JsonNode r, java.util.function.Consumer<String> problems) {
        List<String> out = new ArrayList<>();
        if (!r.isObject()) return out;
        if (isCollection(r)) {
            // Only the collections the inventory needs: an expanded answer also holds VLANs, Volumes, logs...
            if (wanted(r.path("@odata.id").asText(""))) {
                JsonNode members = r.get("Members");
                if (members != null && !members.isArray()) {
                    problems.accept("Members is " + kind(members) + ", not a list");
                }
                int i = 0;
                for (JsonNode m : members == null || !members.isArray() ? List.<JsonNode>of() : members) {
                    if (!m.path("@odata.id").isTextual()) {
                        problems.accept("Members[" + i + "] has no @odata.id" + (m.isObject() && m.size() > 0
                                ? " (read as it is given)" : " (skipped)"));
                    }
                    i++;
                }
                refs(members, out);
            }
            return out;
        }
        switch (type(r)) {
            case "ServiceRoot" -> refs(r, out, "Systems", "Chassis", "Managers");
            case "ComputerSystem" -> {
                refs(r, out, "Processors", "Memory", "Storage", "EthernetInterfaces", "PCIeDevices");
                // SimpleStorage is the old model: read it only when that is all there is.
                if (!r.has("Storage")) refs(r, out, "SimpleStorage");
                // HPE names NIC slots only in its own adapter view, and older iLOs list drives only in SmartStorage.
                for (String oem : new String[] {"Hpe", "Hp"}) {
                    refs(r.path("Oem").path(oem).path("Links"), out, "NetworkAdapters", "SmartStorage");
                }
            }
            case "HpeSmartStorage", "HpSmartStorage" -> refs(r.path("Links"), out, "ArrayControllers");
            case "HpeSmartStorageArrayController", "HpSmartStorageArrayController" ->
                    refs(r.path("Links"), out, "PhysicalDrives");
            case "Storage" -> refs(r, out, "Drives");
            case "Chassis" -> {
                refs(r, out, "Drives", "NetworkAdapters", "PCIeDevices");
                refs(r.path("Links"), out, "Drives", "PCIeDevices");
            }
            case "NetworkAdapter" -> refs(r, out, "NetworkPorts", "Ports", "NetworkDeviceFunctions");
            case "Manager" -> refs(r, out, "EthernetInterfaces");
            default -> { }
        }
        return out;
    }

    private static String kind(JsonNode v) {
        return v.isObject() ? "an object" : v.isTextual() ? "text" : v.isNumber() ? "a number" : v.isNull() ? "null"
                : v.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    /** The links held in these properties: a single {"@odata.id"} or an array of them. */
    private static void refs(JsonNode r, List<String> out, String... names) {
        for (String name : names) refs(r.get(name), out);
    }

    private static void refs(JsonNode value, List<String> out) {
        if (value == null) return;
        if (value.isArray()) {
            for (JsonNode v : value) refs(v, out);
        } else if (value.isObject()) {
            String id = value.path("@odata.id").asText(null);
            if (id != null && !id.contains("#") && id.toLowerCase(Locale.ROOT).startsWith("/redfish/")) out.add(id);
        }
    }
}

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
            "networkdevicefunctions", "pciedevices", "simplestorage", "basenetworkadapters");

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
        List<String> out = new ArrayList<>();
        if (isCollection(r)) {
            // Only the collections the inventory needs: an expanded answer also holds VLANs, Volumes, logs...
            if (wanted(r.path("@odata.id").asText(""))) {
                refs(r.get("Members"), out);
            }
            return out;
        }
        switch (type(r)) {
            case "ServiceRoot" -> refs(r, out, "Systems", "Chassis", "Managers");
            case "ComputerSystem" -> {
                refs(r, out, "Processors", "Memory", "Storage", "EthernetInterfaces", "PCIeDevices");
                // SimpleStorage is the old model: read it only when that is all there is.
                if (!r.has("Storage")) refs(r, out, "SimpleStorage");
                // HPE names NIC slots only in its own adapter view.
                refs(r.path("Oem").path("Hpe").path("Links"), out, "NetworkAdapters");
            }
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

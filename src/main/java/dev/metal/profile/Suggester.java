package dev.metal.profile;

import dev.metal.model.Inventory;
import dev.metal.model.Inventory.Cpu;
import dev.metal.model.Inventory.Dimm;
import dev.metal.model.Inventory.Drive;
import dev.metal.model.Inventory.Nic;
import dev.metal.model.Inventory.SystemInfo;
import dev.metal.model.Profile;
import dev.metal.model.Profile.CpuSpec;
import dev.metal.model.Profile.DriveSpec;
import dev.metal.model.Profile.MemorySpec;
import dev.metal.model.Profile.NicSpec;
import dev.metal.model.Profile.SystemSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Writes a profile from one scraped host, with that host's exact values, so that the host
 * matches it: the quick way to onboard a new hardware type. People then loosen what should
 * vary across a fleet (drive capacities, CPU steppings).
 */
public final class Suggester {
    private Suggester() {}

    /**
     * @param name    the profile name, or null for one made from the model
     * @param mgmtMac the host's management (PXE) MAC: its port is named mgmt0; may be null
     */
    public static Profile suggest(Inventory inventory, String name, String mgmtMac) {
        if (inventory == null || inventory.systems().isEmpty()) {
            throw new IllegalArgumentException("the inventory lists no system");
        }
        SystemInfo s = inventory.systems().get(0);
        String profileName = name != null ? name : nameFrom(s.model());
        SystemSpec system = s.manufacturer() == null && s.model() == null ? null
                : new SystemSpec(Matcher.trim(s.manufacturer()), Matcher.trim(s.model()));
        return new Profile(profileName, describe(s), system, cpus(s), memory(s), drives(s), nics(s, mgmtMac));
    }

    static String nameFrom(String model) {
        String slug = model == null ? "" : model.trim().toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        return slug.isEmpty() ? "suggested" : slug;
    }

    private static String describe(SystemInfo s) {
        List<String> parts = new ArrayList<>();
        if (s.manufacturer() != null) parts.add(s.manufacturer().trim());
        if (s.model() != null) parts.add(s.model().trim());
        long gib = s.dimms().stream().filter(Dimm::populated).mapToLong(d -> d.sizeGiB() == null ? 0 : d.sizeGiB()).sum();
        String detail = s.cpus().size() + " CPU, " + gib + " GiB, " + Matcher.plural(s.drives().size(), "drive")
                + ", " + Matcher.plural(s.nics().size(), "NIC port");
        return (String.join(" ", parts) + " " + detail).trim();
    }

    private static CpuSpec cpus(SystemInfo s) {
        if (s.cpus().isEmpty()) return null;
        List<String> models = s.cpus().stream().map(Cpu::model).map(Matcher::trim).distinct().toList();
        // One model for all: that model. Mixed or unknown models: count only.
        String model = models.size() == 1 ? models.get(0) : null;
        return new CpuSpec(s.cpus().size(), model);
    }

    private static MemorySpec memory(SystemInfo s) {
        List<Dimm> populated = s.dimms().stream().filter(Dimm::populated).toList();
        if (populated.isEmpty()) return null;
        int total = 0;
        boolean bySlot = true;
        Map<String, Integer> dimms = new LinkedHashMap<>();
        for (Dimm d : populated) {
            if (d.sizeGiB() != null) total += d.sizeGiB();
            String slot = Matcher.trim(d.slot());
            if (slot == null || dimms.containsKey(slot)) bySlot = false;
            else dimms.put(slot, d.sizeGiB());
        }
        return new MemorySpec(total, bySlot ? dimms : null);
    }

    private static List<DriveSpec> drives(SystemInfo s) {
        if (s.drives().isEmpty()) return null;
        // Drives with a bay in bay order, then those without (or in a bay already taken) in
        // inventory order: the order in which the matcher takes them.
        List<Drive> withBay = new ArrayList<>();
        List<Drive> bayless = new ArrayList<>();
        List<String> bays = new ArrayList<>();
        for (Drive d : s.drives()) {
            String bay = Matcher.trim(d.bay());
            if (bay == null || bays.contains(bay)) {
                bayless.add(d);
            } else {
                bays.add(bay);
                withBay.add(d);
            }
        }
        withBay.sort((a, b) -> Matcher.Natural.compare(a.bay().trim(), b.bay().trim()));
        List<Drive> ordered = new ArrayList<>(withBay);
        ordered.addAll(bayless);
        // The boot disk: the smallest drive (an M.2 boot module, else the first of equal data drives).
        Drive boot = ordered.stream()
                .min(Comparator.comparingLong(d -> d.capacityBytes() == null ? Long.MAX_VALUE : d.capacityBytes()))
                .orElseThrow();
        List<DriveSpec> specs = new ArrayList<>();
        for (int i = 0; i < ordered.size(); i++) {
            Drive d = ordered.get(i);
            String bay = i < withBay.size() ? d.bay().trim() : null;
            // DiskBay<bay> for a drive in a bay, Disk<n> for the n-th without one.
            String name = bay != null ? "DiskBay" + bay.replaceAll("[^A-Za-z0-9_.-]", "_") : "Disk" + (i - withBay.size());
            Long minGB = d.capacityBytes() == null ? null : d.capacityBytes() / 1_000_000_000L;
            specs.add(new DriveSpec(bay, Matcher.trim(d.protocol()), null, minGB, name, d == boot ? Boolean.TRUE : null));
        }
        return specs;
    }

    private static List<NicSpec> nics(SystemInfo s, String mgmtMac) {
        if (s.nics().isEmpty()) return null;
        List<NicSpec> specs = new ArrayList<>();
        Set<String> slots = new HashSet<>();
        int ext = 0;
        for (Matcher.Adapter ad : Matcher.Adapter.of(s.nics())) {
            List<String> names = new ArrayList<>();
            for (Nic port : ad.ports) {
                names.add(mgmtMac != null && mgmtMac.equalsIgnoreCase(port.mac()) ? "mgmt0" : "ext" + ext++);
            }
            List<Integer> speeds = ad.ports.stream().map(Nic::speedMbps).filter(Objects::nonNull).distinct().toList();
            Integer speed = speeds.size() == 1 ? speeds.get(0) : null;
            // Two adapters the BMC puts in one slot: the later one goes by model and order.
            String slot = ad.slot;
            if (slot != null && !slots.add(slot.toLowerCase(Locale.ROOT))) slot = null;
            specs.add(new NicSpec(slot, ad.model, speed, ad.ports.size(), names));
        }
        return specs;
    }
}

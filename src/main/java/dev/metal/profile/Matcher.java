package dev.metal.profile;

import dev.metal.model.Inventory;
import dev.metal.model.Inventory.Dimm;
import dev.metal.model.Inventory.Drive;
import dev.metal.model.Inventory.Nic;
import dev.metal.model.Inventory.SystemInfo;
import dev.metal.model.Profile;
import dev.metal.model.Profile.DriveSpec;
import dev.metal.model.Profile.NicSpec;
import dev.metal.model.ProfileMatch;
import dev.metal.model.ProfileMatch.Miss;
import dev.metal.model.ProfileMatch.NamedDisk;
import dev.metal.model.ProfileMatch.NamedNic;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Matches an inventory against a set of profiles. A host matches a profile when every
 * condition of it holds; exactly one profile must match. When none does, the nearest one
 * (same manufacturer and model first, then the fewest differences) is named with every
 * difference in words.
 *
 * <p>The host is the inventory's first system: the scraper lists the host's own
 * ComputerSystem first (a SmartNIC's or a blade chassis' others come after it).
 */
public final class Matcher {
    /** What matching one host gave. */
    public sealed interface Outcome permits Matched, Missed, Ambiguous {}

    public record Matched(ProfileMatch match) implements Outcome {}

    public record Missed(Miss miss) implements Outcome {}

    /** More than one profile matched: the profiles overlap, the host is not at fault. */
    public record Ambiguous(List<String> profiles) implements Outcome {}

    private final List<Compiled> profiles;

    public Matcher(List<Profile> profiles) {
        this.profiles = profiles.stream()
                .sorted(Comparator.comparing(Profile::name))
                .map(Compiled::new)
                .toList();
    }

    public Outcome match(Inventory inventory) {
        SystemInfo system = inventory == null || inventory.systems().isEmpty() ? null : inventory.systems().get(0);
        if (system == null) {
            return new Missed(new Miss(null, List.of("the inventory lists no system")));
        }
        // Most hosts match: first look for matches only, leaving each profile at its first
        // difference. Only a host that matches nothing pays for counting every difference, and
        // only its nearest profile for writing them out.
        View view = new View(system);
        List<Attempt> matched = new ArrayList<>(2);
        for (Compiled c : profiles) {
            Attempt a = c.check(view, Mode.FIRST);
            if (a.count == 0) matched.add(a);
        }
        if (matched.size() == 1) return new Matched(matched.get(0).result());
        if (matched.size() > 1) return new Ambiguous(matched.stream().map(a -> a.profile.name()).toList());
        Compiled nearest = null;
        Attempt nearestAttempt = null;
        for (Compiled c : profiles) {
            Attempt a = c.check(view, Mode.COUNT);
            if (nearestAttempt == null || a.closerThan(nearestAttempt)) {
                nearest = c;
                nearestAttempt = a;
            }
        }
        if (nearest == null) return new Missed(new Miss(null, List.of("there are no profiles")));
        return new Missed(new Miss(nearest.p.name(), nearest.check(view, Mode.WORDS).differences));
    }

    /** The differences between the inventory and one profile: empty when it matches. */
    public static List<String> differences(Profile profile, Inventory inventory) {
        return new Compiled(profile).check(new View(inventory.systems().get(0)), Mode.WORDS).differences;
    }

    /**
     * The full /dev/disk/by-id path of a drive: the inventory holds the name under that folder
     * (as udev makes it), while the match and the installer need the path. A path is kept as it is.
     */
    static String byIdPath(String byIdName) {
        if (byIdName == null || byIdName.isBlank()) return null;
        return byIdName.startsWith("/") ? byIdName : "/dev/disk/by-id/" + byIdName;
    }

    /** The name a drive entry gives its disk: its own, else DiskBay and its place in the list. */
    static String diskName(DriveSpec d, int index) {
        return d.name() != null ? d.name() : "DiskBay" + index;
    }

    /** A profile with its patterns compiled once, for matching many hosts. */
    private static final class Compiled {
        final Profile p;
        final Glob manufacturer;
        final Glob model;
        final Glob cpuModel;
        final List<Glob> driveModels = new ArrayList<>();
        final List<Glob> nicModels = new ArrayList<>();

        Compiled(Profile p) {
            this.p = p;
            manufacturer = p.system() == null ? null : Glob.of(p.system().manufacturer());
            model = p.system() == null ? null : Glob.of(p.system().model());
            cpuModel = p.cpus() == null ? null : Glob.of(p.cpus().model());
            if (p.drives() != null) for (DriveSpec d : p.drives()) driveModels.add(Glob.of(d.model()));
            if (p.nics() != null) for (NicSpec n : p.nics()) nicModels.add(Glob.of(n.adapterModel()));
        }

        Attempt check(View v, Mode mode) {
            SystemInfo s = v.system;
            Attempt a = new Attempt(p, mode);
            if (manufacturer != null && !manufacturer.matches(s.manufacturer()) && a.identity()) {
                a.say("manufacturer " + quote(s.manufacturer()) + ": " + a.expects() + quote(manufacturer.text));
            }
            if (model != null && !model.matches(s.model()) && a.identity()) {
                a.say("model " + quote(s.model()) + ": " + a.expects() + quote(model.text));
            }
            if (a.enough()) return a;
            checkCpus(s, a);
            if (a.enough()) return a;
            checkMemory(v, a);
            if (a.enough()) return a;
            checkDrives(v, a);
            if (a.enough()) return a;
            checkNics(v, a);
            return a;
        }

        private void checkCpus(SystemInfo s, Attempt a) {
            if (p.cpus() == null) return;
            Integer count = p.cpus().count();
            if (count != null && s.cpus().size() != count) {
                if (a.miss()) a.say("found " + plural(s.cpus().size(), "CPU") + ": " + a.expects() + count);
            }
            if (cpuModel == null) return;
            for (int i = 0; i < s.cpus().size(); i++) {
                Inventory.Cpu cpu = s.cpus().get(i);
                if (!cpuModel.matches(cpu.model())) {
                    String socket = cpu.socket() != null ? cpu.socket() : "#" + (i + 1);
                    if (a.miss()) a.say("CPU " + socket + " is " + quote(cpu.model()) + ": " + a.expects() + quote(cpuModel.text));
                }
            }
        }

        private void checkMemory(View v, Attempt a) {
            if (p.memory() == null) return;
            SystemInfo s = v.system;
            int before = a.count;
            Map<String, Integer> want = p.memory().dimms();
            if (want != null) {
                Map<String, Dimm> bySlot = v.dimmsBySlot;
                int populated = v.populatedDimms;
                String counts = a.words ? a.expects() + plural(want.size(), "DIMM") + ", found " + populated : null;
                for (Map.Entry<String, Integer> w : want.entrySet()) {
                    Dimm d = bySlot.get(w.getKey().trim());
                    if (d == null || !d.populated()) {
                        if (a.miss()) a.say("DIMM slot " + w.getKey() + " empty: " + counts);
                    } else if (w.getValue() != null && !w.getValue().equals(d.sizeGiB())) {
                        if (a.miss()) a.say("DIMM slot " + w.getKey() + " holds " + gib(d.sizeGiB()) + ": " + a.expects()
                                + w.getValue() + " GiB");
                    }
                }
                for (Dimm d : s.dimms()) {
                    if (d.populated() && (d.slot() == null || !want.containsKey(d.slot().trim()))) {
                        if (a.miss()) a.say("DIMM slot " + d.slot() + " holds " + gib(d.sizeGiB()) + ": " + a.expects()
                                + "it empty (" + plural(want.size(), "DIMM") + ", found " + populated + ")");
                    }
                }
            }
            Integer total = p.memory().totalGiB();
            if (total != null && a.count == before) {
                long sum = v.memoryGiB;
                if (sum != total && a.miss()) a.say("memory is " + sum + " GiB: " + a.expects() + total + " GiB");
            }
        }

        private void checkDrives(View v, Attempt a) {
            if (p.drives() == null) return;
            SystemInfo s = v.system;
            Map<String, Drive> byBay = v.drivesByBay;
            List<Drive> bayless = v.baylessDrives;
            List<Drive> claimed = new ArrayList<>();
            int nextBayless = 0;
            String counts = a.words ? a.expects() + plural(p.drives().size(), "drive") + ", found " + s.drives().size()
                    : null;
            for (int i = 0; i < p.drives().size(); i++) {
                DriveSpec spec = p.drives().get(i);
                Drive d;
                String where;
                if (spec.bay() != null) {
                    d = byBay.get(spec.bay().trim());
                    where = "bay " + spec.bay();
                } else {
                    d = nextBayless < bayless.size() ? bayless.get(nextBayless++) : null;
                    where = "drive #" + (i + 1) + " (no bay)";
                }
                if (d == null) {
                    if (a.miss()) a.say(spec.bay() != null ? "drive bay " + spec.bay() + " empty: " + counts
                            : where + " missing: " + counts);
                    continue;
                }
                claimed.add(d);
                String it = spec.bay() != null ? "drive in bay " + spec.bay() : where;
                if (spec.protocol() != null && !spec.protocol().equalsIgnoreCase(trim(d.protocol()))) {
                    if (a.miss()) a.say(it + " is " + (d.protocol() == null ? "of unknown protocol" : d.protocol()) + ": "
                            + a.expects() + spec.protocol());
                }
                Glob m = driveModels.get(i);
                if (m != null && !m.matches(d.model())) {
                    if (a.miss()) a.say(it + " is " + quote(d.model()) + ": " + a.expects() + quote(m.text));
                }
                Long min = spec.minCapacityGB();
                if (min != null && (d.capacityBytes() == null || d.capacityBytes() < min * 1_000_000_000L)) {
                    if (a.miss()) a.say(it + (d.capacityBytes() == null ? " reports no capacity" : " has " + gb(d.capacityBytes()))
                            + ": " + a.expects() + "at least " + min + " GB");
                }
                if (a.count == 0) {
                    String name = diskName(spec, i);
                    String path = byIdPath(d.byIdPath());
                    a.disks.put(name, new NamedDisk(name, d.bay(), path, d.serial(), d.capacityBytes()));
                    if (Boolean.TRUE.equals(spec.boot())) a.bootDisk = path;
                }
            }
            for (Drive d : s.drives()) {
                if (!claimed.contains(d) && a.miss()) {
                    String where = d.bay() == null || d.bay().isBlank() ? "without a bay" : "in bay " + d.bay();
                    a.say("unexpected drive " + where + " (" + describe(d) + "): " + counts);
                }
            }
        }

        private void checkNics(View v, Attempt a) {
            if (p.nics() == null) return;
            List<Adapter> adapters = v.adapters;
            Adapter[] chosen = new Adapter[p.nics().size()];
            List<Adapter> claimed = new ArrayList<>();
            // Slots first: a slot names one adapter for certain; the rest go by model and order.
            for (int i = 0; i < chosen.length; i++) {
                NicSpec spec = p.nics().get(i);
                if (spec.slot() == null) continue;
                for (Adapter ad : adapters) {
                    if (ad.slot != null && ad.slot.equalsIgnoreCase(spec.slot().trim())) {
                        chosen[i] = ad;
                        claimed.add(ad);
                        break;
                    }
                }
            }
            for (int i = 0; i < chosen.length; i++) {
                NicSpec spec = p.nics().get(i);
                if (spec.slot() != null) continue;
                Glob m = nicModels.get(i);
                for (Adapter ad : adapters) {
                    if (!claimed.contains(ad) && (m == null || m.matches(ad.model))) {
                        chosen[i] = ad;
                        claimed.add(ad);
                        break;
                    }
                }
            }
            List<Adapter> reported = new ArrayList<>();
            for (int i = 0; i < chosen.length; i++) {
                NicSpec spec = p.nics().get(i);
                Glob m = nicModels.get(i);
                if (chosen[i] == null) {
                    Adapter elsewhere = null;
                    for (Adapter ad : adapters) {
                        if (!claimed.contains(ad) && !reported.contains(ad) && looksLike(ad, spec, m)) {
                            elsewhere = ad;
                            break;
                        }
                    }
                    String what = kind(spec, m);
                    String expected = spec.slot() != null ? " expected in slot " + spec.slot() : " expected";
                    if (elsewhere != null) {
                        reported.add(elsewhere);
                        if (a.miss()) a.say(what + expected + ", found " + (elsewhere.slot == null ? "without a slot"
                                : "in slot " + elsewhere.slot) + " (profile " + p.name() + ")");
                    } else {
                        if (a.miss()) a.say(what + expected + ", not found (profile " + p.name() + ")");
                    }
                    continue;
                }
                checkAdapter(chosen[i], spec, m, a);
            }
            for (Adapter ad : adapters) {
                if (!claimed.contains(ad) && !reported.contains(ad)) {
                    if (a.miss()) a.say("unexpected " + ad.describe() + ": profile " + p.name() + " does not list it");
                }
            }
            if (a.count != 0) return;
            List<String> bySlot = new ArrayList<>();
            List<String> byModel = new ArrayList<>();
            boolean noSlot = false;
            Map<String, Integer> seen = new HashMap<>();
            for (int i = 0; i < chosen.length; i++) {
                NicSpec spec = p.nics().get(i);
                List<String> names = new ArrayList<>();
                List<String> wanted = spec.names() == null ? List.of() : spec.names();
                for (int j = 0; j < wanted.size() && j < chosen[i].ports.size(); j++) {
                    Nic port = chosen[i].ports.get(j);
                    if (wanted.get(j) != null) {
                        names.add(wanted.get(j));
                        a.nics.put(wanted.get(j), new NamedNic(wanted.get(j), port.mac(), port.slot(), port.port(),
                                port.speedMbps()));
                    }
                }
                String named = names.isEmpty() ? "" : " (" + String.join(",", names) + ")";
                if (spec.slot() != null) {
                    bySlot.add(spec.slot() + named);
                } else {
                    String model = nicModels.get(i) == null ? "any" : quote(nicModels.get(i).text);
                    byModel.add(model + " #" + seen.merge(model, 1, Integer::sum) + named);
                    noSlot |= chosen[i].slot == null;
                }
            }
            List<String> evidence = new ArrayList<>();
            if (!bySlot.isEmpty()) evidence.add("NICs by slot: " + String.join(", ", bySlot));
            if (!byModel.isEmpty()) {
                evidence.add("NICs by adapter model and port order" + (noSlot ? " (the BMC gives no slot)" : "")
                        + ": " + String.join(", ", byModel));
            }
            a.evidence = evidence.isEmpty() ? null : String.join("; ", evidence);
        }

        private void checkAdapter(Adapter ad, NicSpec spec, Glob m, Attempt a) {
            String it = a.words ? ad.describe() : null;
            if (m != null && !m.matches(ad.model)) {
                if (a.miss()) a.say(it + " is not " + quote(m.text) + " (profile " + p.name() + ")");
            }
            if (spec.ports() != null && ad.ports.size() != spec.ports()) {
                if (a.miss()) a.say(it + ": " + a.expects() + plural(spec.ports(), "port"));
            }
            if (spec.speedMbps() != null) {
                for (Nic port : ad.ports) {
                    if (port.speedMbps() != null && !port.speedMbps().equals(spec.speedMbps())) {
                        if (a.miss()) a.say("port " + port.port() + " of " + it + " runs at " + speed(port.speedMbps()) + ": "
                                + a.expects() + speed(spec.speedMbps()));
                    }
                }
            }
        }

        private static boolean looksLike(Adapter ad, NicSpec spec, Glob m) {
            if (m != null && !m.matches(ad.model)) return false;
            if (spec.ports() != null && spec.ports() != ad.ports.size()) return false;
            if (spec.speedMbps() != null) {
                for (Nic port : ad.ports) {
                    if (port.speedMbps() != null && !port.speedMbps().equals(spec.speedMbps())) return false;
                }
            }
            return true;
        }

        private static String kind(NicSpec spec, Glob m) {
            if (spec.speedMbps() != null) return speed(spec.speedMbps()) + " adapter";
            if (m != null) return "adapter " + quote(m.text);
            return "adapter";
        }
    }

    /**
     * One profile checked against one system: how many differences, their words when wanted,
     * or the names it resolves to.
     */
    private static final class Attempt {
        final Profile profile;
        final Mode mode;
        /** Whether to write the differences out; matching many hosts only counts them. */
        final boolean words;
        int count;
        final List<String> differences = new ArrayList<>();
        boolean identityDiffers;
        final Map<String, NamedNic> nics = new LinkedHashMap<>();
        final Map<String, NamedDisk> disks = new LinkedHashMap<>();
        String bootDisk;
        String evidence;

        Attempt(Profile profile, Mode mode) {
            this.profile = profile;
            this.mode = mode;
            this.words = mode == Mode.WORDS;
        }

        /** Whether checking this profile further can change the outcome. */
        boolean enough() {
            return mode == Mode.FIRST && count > 0;
        }

        String expects() {
            return "profile " + profile.name() + " expects ";
        }

        /** Counts a difference; true when its words are wanted. */
        boolean miss() {
            count++;
            return words;
        }

        /** A difference in manufacturer or model. */
        boolean identity() {
            identityDiffers = true;
            return miss();
        }

        void say(String difference) {
            differences.add(difference);
        }

        /** Same manufacturer and model beats any count of other differences. */
        boolean closerThan(Attempt other) {
            if (identityDiffers != other.identityDiffers) return !identityDiffers;
            return count < other.count;
        }

        ProfileMatch result() {
            return new ProfileMatch(profile.name(), nics, disks, bootDisk, evidence);
        }
    }

    /** How far to check a profile: to its first difference, counting all, or in words. */
    private enum Mode { FIRST, COUNT, WORDS }

    /** What every profile looks up in one system, worked out once per host. */
    private static final class View {
        final SystemInfo system;
        final Map<String, Dimm> dimmsBySlot = new HashMap<>();
        int populatedDimms;
        long memoryGiB;
        final Map<String, Drive> drivesByBay = new HashMap<>();
        final List<Drive> baylessDrives = new ArrayList<>();
        final List<Adapter> adapters;

        View(SystemInfo s) {
            system = s;
            for (Dimm d : s.dimms()) {
                if (d.slot() != null) dimmsBySlot.put(d.slot().trim(), d);
                if (d.populated()) {
                    populatedDimms++;
                    if (d.sizeGiB() != null) memoryGiB += d.sizeGiB();
                }
            }
            for (Drive d : s.drives()) {
                // A second drive the BMC puts in the same bay counts as one without a bay.
                if (d.bay() == null || d.bay().isBlank() || drivesByBay.putIfAbsent(d.bay().trim(), d) != null) {
                    baylessDrives.add(d);
                }
            }
            adapters = Adapter.of(s.nics());
        }
    }

    /** The ports of one NIC adapter, in port order. */
    static final class Adapter {
        final String id;
        final String model;
        final String slot;
        final List<Nic> ports = new ArrayList<>();

        private Adapter(String id, String model, String slot) {
            this.id = id;
            this.model = model;
            this.slot = slot;
        }

        /** Ports grouped by adapter and slot, adapters in the order the BMC lists them. */
        static List<Adapter> of(List<Nic> nics) {
            Map<String, Adapter> byKey = new LinkedHashMap<>();
            for (Nic n : nics) {
                String slot = trim(n.slot());
                String key = n.adapter() + "\u0000" + slot;
                Adapter ad = byKey.computeIfAbsent(key, k -> new Adapter(n.adapter(), trim(n.adapterModel()), slot));
                ad.ports.add(n);
            }
            List<Adapter> list = new ArrayList<>(byKey.values());
            for (Adapter ad : list) ad.ports.sort((x, y) -> Natural.compare(x.port(), y.port()));
            return list;
        }

        String describe() {
            String name = model != null ? "adapter " + quote(model) : id != null ? "adapter " + id : "adapter";
            return name + (slot != null ? " in slot " + slot : "") + " (" + plural(ports.size(), "port") + ")";
        }
    }

    static String quote(String s) {
        return s == null ? "(none)" : "'" + s.trim() + "'";
    }

    static String trim(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    static String plural(int n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }

    private static String gib(Integer g) {
        return g == null ? "a DIMM of unknown size" : g + " GiB";
    }

    private static String gb(long bytes) {
        return bytes / 1_000_000_000L + " GB";
    }

    static String speed(int mbps) {
        return mbps % 1000 == 0 ? mbps / 1000 + "GbE" : mbps + "Mb/s";
    }

    private static String describe(Drive d) {
        List<String> parts = new ArrayList<>();
        if (d.protocol() != null) parts.add(d.protocol());
        if (d.capacityBytes() != null) parts.add(gb(d.capacityBytes()));
        if (d.model() != null) parts.add(d.model().trim());
        return parts.isEmpty() ? "unknown" : String.join(" ", parts);
    }

    /** Port names in human order: "2" before "10", "NIC.Slot.2-2" before "NIC.Slot.2-10". */
    static final class Natural {
        static int compare(String a, String b) {
            if (a == null || b == null) return a == null ? (b == null ? 0 : 1) : -1;
            int i = 0;
            int j = 0;
            while (i < a.length() && j < b.length()) {
                char x = a.charAt(i);
                char y = b.charAt(j);
                if (Character.isDigit(x) && Character.isDigit(y)) {
                    int si = i;
                    int sj = j;
                    while (i < a.length() && Character.isDigit(a.charAt(i))) i++;
                    while (j < b.length() && Character.isDigit(b.charAt(j))) j++;
                    String na = a.substring(si, i).replaceFirst("^0+(?=.)", "");
                    String nb = b.substring(sj, j).replaceFirst("^0+(?=.)", "");
                    int c = na.length() != nb.length() ? Integer.compare(na.length(), nb.length()) : na.compareTo(nb);
                    if (c != 0) return c;
                } else {
                    int c = Character.compare(Character.toLowerCase(x), Character.toLowerCase(y));
                    if (c != 0) return c;
                    i++;
                    j++;
                }
            }
            return Integer.compare(a.length() - i, b.length() - j);
        }
    }
}

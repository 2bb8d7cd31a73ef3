package dev.metal.profile;

import dev.metal.model.Profile;
import dev.metal.model.Profile.DriveSpec;
import dev.metal.model.Profile.NicSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The checks a parsed profile must pass, each problem with the line it is on. */
final class ProfileCheck {
    /** Linux interface names are at most 15 characters. */
    private static final String NIC_NAME = "[A-Za-z][A-Za-z0-9_.-]{0,14}";
    private static final String NAME = "[A-Za-z0-9][A-Za-z0-9_.-]*";

    private final Profile p;
    private final Map<String, Integer> lines;
    private final String source;
    private final List<String> problems = new ArrayList<>();

    ProfileCheck(Profile p, Map<String, Integer> lines, String source) {
        this.p = p;
        this.lines = lines;
        this.source = source;
    }

    List<String> problems() {
        if (p.name() == null || !p.name().matches(NAME)) {
            problem("/name", "name '" + p.name() + "' must be letters, digits, '.', '_' or '-'");
        }
        if (p.system() == null && p.cpus() == null && p.memory() == null && p.drives() == null && p.nics() == null) {
            problem("", "the profile checks nothing: give system, cpus, memory, drives or nics");
        }
        if (p.cpus() != null && p.cpus().count() != null && p.cpus().count() < 1) {
            problem("/cpus/count", "cpus.count must be at least 1");
        }
        checkMemory();
        checkDrives();
        checkNics();
        return problems;
    }

    private void checkMemory() {
        if (p.memory() == null) return;
        Integer total = p.memory().totalGiB();
        if (total != null && total < 0) problem("/memory/totalGiB", "memory.totalGiB must not be negative");
        Map<String, Integer> dimms = p.memory().dimms();
        if (dimms == null) return;
        long sum = 0;
        boolean allSized = true;
        for (Map.Entry<String, Integer> d : dimms.entrySet()) {
            if (d.getValue() == null) {
                allSized = false;
            } else if (d.getValue() <= 0) {
                problem("/memory/dimms/" + escape(d.getKey()), "DIMM slot " + d.getKey() + ": size must be a positive number of GiB");
            } else {
                sum += d.getValue();
            }
        }
        if (total != null && allSized && sum != total) {
            problem("/memory/totalGiB", "memory.totalGiB is " + total + " but the DIMMs listed add up to " + sum + " GiB");
        }
    }

    private void checkDrives() {
        if (p.drives() == null) return;
        Map<String, Integer> names = new HashMap<>();
        Map<String, Integer> bays = new HashMap<>();
        int boots = 0;
        for (int i = 0; i < p.drives().size(); i++) {
            DriveSpec d = p.drives().get(i);
            String at = "/drives/" + i;
            if (d == null) {
                problem(at, "drives[" + i + "] is empty");
                continue;
            }
            String name = Matcher.diskName(d, i);
            if (!name.matches(NAME)) problem(at + "/name", "drive name '" + name + "' must be letters, digits, '.', '_' or '-'");
            Integer first = names.putIfAbsent(name, i);
            if (first != null) problem(at + "/name", "drive name " + name + " is also used by drives[" + first + "]");
            if (d.bay() != null) {
                Integer other = bays.putIfAbsent(d.bay(), i);
                if (other != null) problem(at + "/bay", "bay " + d.bay() + " is also listed as drives[" + other + "]");
            }
            if (d.minCapacityGB() != null && d.minCapacityGB() < 0) {
                problem(at + "/minCapacityGB", "minCapacityGB must not be negative");
            }
            if (Boolean.TRUE.equals(d.boot()) && ++boots == 2) {
                problem(at + "/boot", "more than one drive has boot: true");
            }
        }
    }

    private void checkNics() {
        if (p.nics() == null) return;
        Map<String, String> names = new HashMap<>();
        Map<String, Integer> slots = new HashMap<>();
        for (int i = 0; i < p.nics().size(); i++) {
            NicSpec n = p.nics().get(i);
            String at = "/nics/" + i;
            if (n == null) {
                problem(at, "nics[" + i + "] is empty");
                continue;
            }
            if (n.slot() != null) {
                Integer other = slots.putIfAbsent(n.slot(), i);
                if (other != null) problem(at + "/slot", "slot " + n.slot() + " is also listed as nics[" + other + "]");
            }
            if (n.ports() != null && n.ports() < 1) problem(at + "/ports", "ports must be at least 1");
            if (n.speedMbps() != null && n.speedMbps() < 1) problem(at + "/speedMbps", "speedMbps must be positive");
            List<String> portNames = n.names() == null ? List.of() : n.names();
            if (n.ports() != null && portNames.size() > n.ports()) {
                problem(at + "/names", portNames.size() + " names for " + n.ports() + " ports");
            }
            for (int j = 0; j < portNames.size(); j++) {
                String name = portNames.get(j);
                if (name == null) continue; // an unnamed port
                String here = at + "/names/" + j;
                if (!name.matches(NIC_NAME)) {
                    problem(here, "NIC name '" + name + "' must start with a letter and be at most 15 letters, "
                            + "digits, '.', '_' or '-' (a Linux interface name)");
                }
                String other = names.putIfAbsent(name, "nics[" + i + "]");
                if (other != null) problem(here, "NIC name " + name + " is also used in " + other);
            }
        }
    }

    private void problem(String pointer, String message) {
        Integer line = lineOf(pointer);
        problems.add(source + (line == null ? "" : " line " + line) + ": " + message);
    }

    /** The line of the pointer, or of the nearest enclosing key that has one. */
    private Integer lineOf(String pointer) {
        String p = pointer;
        while (true) {
            Integer line = lines.get(p);
            if (line != null) return line;
            if (p.isEmpty()) return null;
            p = p.substring(0, p.lastIndexOf('/'));
        }
    }

    /** A key as one JSON Pointer segment (RFC 6901). */
    static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }
}

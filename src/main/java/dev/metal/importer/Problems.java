package dev.metal.importer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Problems found in one file, reported in the order of its lines. */
final class Problems {
    private final String file;
    private final TreeMap<Integer, List<String>> byLine = new TreeMap<>();

    Problems(String file) {
        this.file = file;
    }

    void add(int line, String message) {
        byLine.computeIfAbsent(line, l -> new ArrayList<>()).add(file + " line " + line + ": " + message);
    }

    /** A problem with the file as a whole. */
    void addFile(String message) {
        byLine.computeIfAbsent(0, l -> new ArrayList<>()).add(file + ": " + message);
    }

    boolean isEmpty() {
        return byLine.isEmpty();
    }

    /** At most this many problems are listed; the rest are counted in one last line. */
    static final int MAX_LISTED = 50;

    List<String> list() {
        List<String> all = new ArrayList<>();
        int total = 0;
        for (Map.Entry<Integer, List<String>> e : byLine.entrySet()) {
            for (String p : e.getValue()) {
                if (++total <= MAX_LISTED) all.add(p);
            }
        }
        if (total > MAX_LISTED) all.add(file + ": " + (total - MAX_LISTED) + " more problems not listed");
        return all;
    }
}

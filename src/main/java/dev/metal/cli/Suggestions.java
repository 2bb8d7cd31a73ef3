package dev.metal.cli;

import dev.metal.model.Host;
import dev.metal.state.HostQuery;
import dev.metal.state.Store;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** "Did you mean ...": the known names nearest to a mistyped subcommand or host. */
final class Suggestions {
    private Suggestions() {}

    private static final Pattern UNKNOWN_HOST = Pattern.compile("^unknown host (\\S+)");

    /** The names nearest to {@code typed}: at most three, all at the smallest distance, within two edits. */
    static List<String> closest(String typed, Iterable<String> known) {
        record Candidate(String name, int distance) {}
        List<Candidate> near = new ArrayList<>();
        String t = typed.toLowerCase(Locale.ROOT);
        // One edit for short names, two from six characters: 'lab-r1-n2' is lab-r1-n02, 'lab-r9-n99' is no one.
        int limit = t.length() >= 6 ? 2 : 1;
        for (String k : known) {
            if (k == null) continue;
            int d = distance(t, k.toLowerCase(Locale.ROOT));
            if (d > 0 && d <= limit || d > 0 && k.toLowerCase(Locale.ROOT).startsWith(t) && t.length() >= 3) {
                near.add(new Candidate(k, d));
            }
        }
        near.sort(Comparator.comparingInt(Candidate::distance).thenComparing(Candidate::name));
        if (near.isEmpty()) return List.of();
        // Only the nearest: 'lab-r1-n2' means lab-r1-n02, not every host one more edit away.
        int best = near.get(0).distance();
        return near.stream().filter(c -> c.distance() == best).limit(3).map(Candidate::name).distinct().toList();
    }

    /** For "unknown host X" problems: the host names in the state nearest to X. */
    static List<String> forProblems(MetalCommand root, List<String> problems) {
        List<String> typed = new ArrayList<>();
        for (String p : problems) {
            Matcher m = UNKNOWN_HOST.matcher(p);
            if (m.find()) typed.add(m.group(1));
        }
        String location = root.stateLocation();
        if (typed.isEmpty() || !dev.metal.state.Stores.isDatabaseUrl(location)
                && !Files.isRegularFile(java.nio.file.Path.of(location))) return List.of();
        List<String> names;
        try (Store store = root.services().openStore(location, "suggest")) {
            names = store.hosts(HostQuery.all()).stream().map(Host::hostname).toList();
        } catch (RuntimeException e) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String t : typed) {
            for (String s : closest(t, names)) if (!out.contains(s)) out.add(s);
        }
        return out;
    }

    /** Levenshtein distance, with a swap of two neighbours counted as one edit. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}

package dev.metal.provision;

import dev.metal.model.Host;
import dev.metal.model.HostState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Chooses ready hosts of a profile so that new hosts spread across racks: each pick goes
 * to the rack with the fewest hosts of this request so far (never above the per-rack
 * limit), then the fewest hosts of the profile already in service there, then the most
 * ready hosts left, then by name. Within a rack the lowest U goes first.
 */
public final class Placement {
    private Placement() {}

    public record Choice(String hostname, String rack, String reason) {}

    /** True when {@code h} is ready, matched {@code profile} and has its addresses from the site plan. */
    public static boolean eligible(Host h, String profile) {
        return h.state() == HostState.READY && profile.equals(h.profile()) && h.hasSiteAddresses();
    }

    /**
     * @param requestLoad hosts this request already holds per rack (a retry spreads too)
     * @param maxPerRack  the most hosts of one request in one rack; 0 for no limit
     * @return up to {@code count} choices; fewer when not enough hosts fit
     */
    public static List<Choice> choose(Collection<Host> hosts, String profile, int count, int maxPerRack,
                                      Map<String, Integer> requestLoad) {
        Map<String, List<Host>> free = new TreeMap<>();
        Map<String, Integer> inService = new HashMap<>();
        for (Host h : hosts) {
            String rack = rackOf(h);
            if (eligible(h, profile)) free.computeIfAbsent(rack, r -> new ArrayList<>()).add(h);
            boolean serving = (h.state() == HostState.ACTIVE || h.state() == HostState.PROVISIONING)
                    && profile.equals(h.profile());
            if (serving) inService.merge(rack, 1, Integer::sum);
        }
        for (List<Host> l : free.values()) {
            l.sort(Comparator.comparingInt(Host::u).thenComparing(Host::hostname));
        }
        Map<String, Integer> load = new HashMap<>(requestLoad);
        List<Choice> out = new ArrayList<>();
        while (out.size() < count) {
            String best = null;
            for (String rack : free.keySet()) {
                if (free.get(rack).isEmpty()) continue;
                int l = load.getOrDefault(rack, 0);
                if (maxPerRack > 0 && l >= maxPerRack) continue;
                if (best == null || better(rack, best, load, inService, free)) best = rack;
            }
            if (best == null) break;
            Host h = free.get(best).remove(0);
            int l = load.getOrDefault(best, 0);
            String reason = "rack " + best + ": " + ordinal(l + 1) + " host of this request there"
                    + (maxPerRack > 0 ? " (limit " + maxPerRack + ")" : "")
                    + ", " + inService.getOrDefault(best, 0) + " of " + profile + " already in service"
                    + ", " + (free.get(best).size() + 1) + " ready";
            out.add(new Choice(h.hostname(), best, reason));
            load.put(best, l + 1);
            inService.merge(best, 1, Integer::sum);
        }
        return out;
    }

    private static boolean better(String rack, String best, Map<String, Integer> load, Map<String, Integer> inService,
                                  Map<String, List<Host>> free) {
        int c = Integer.compare(load.getOrDefault(rack, 0), load.getOrDefault(best, 0));
        if (c == 0) c = Integer.compare(inService.getOrDefault(rack, 0), inService.getOrDefault(best, 0));
        if (c == 0) c = -Integer.compare(free.get(rack).size(), free.get(best).size());
        return c < 0; // on a full tie the earlier rack name (already in best) stays
    }

    static String rackOf(Host h) {
        return h.rack() == null || h.rack().isBlank() ? "-" : h.rack();
    }

    private static String ordinal(int n) {
        return switch (n) {
            case 1 -> "1st";
            case 2 -> "2nd";
            case 3 -> "3rd";
            default -> n + "th";
        };
    }
}

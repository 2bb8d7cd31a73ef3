package dev.metal.render;

import dev.metal.model.Host;
import dev.metal.model.Site;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Deterministic addresses. Each host holds one index in its rack; its address in every
 * rack network is that network's address plus the index, so one number says it all.
 * A host keeps its index while it stays in its rack, so adding hosts never moves others;
 * new hosts take the lowest free index in hostname order. Servers get their own BGP ASN,
 * the lowest free one from the site's server base.
 *
 * Keys written to {@link Host#addresses()}: rack, index, public.ipv4, public.ipv6 (when the
 * rack has IPv6), mgmt.ipv4, bmc.ipv4 (all with /prefix) and bgp.asn.
 */
public final class Allocator {
    private Allocator() {}

    /** New address maps for the hosts whose addresses change, and hosts that could not be placed. */
    public record Outcome(Map<String, Map<String, String>> changed, List<String> problems) {}

    public static Outcome allocate(Site site, Collection<Host> hosts) {
        Map<String, BitSet> used = new HashMap<>();
        Set<Long> usedAsns = new HashSet<>();
        Map<String, Integer> index = new TreeMap<>();
        Map<String, Long> asn = new HashMap<>();
        List<Host> sorted = new ArrayList<>(hosts);
        sorted.sort(Comparator.comparing(Host::hostname));
        List<String> problems = new ArrayList<>();
        Map<String, RackPlan> plans = new HashMap<>();
        for (Site.Rack r : site.racks()) plans.put(r.name(), RackPlan.of(site, r));

        // Keep what is still valid first, so that new hosts fill around it.
        for (Host h : sorted) {
            Site.Rack rack = site.rack(h.rack());
            if (rack == null) continue;
            Map<String, String> a = h.addresses();
            Integer i = parseInt(a.get("index"));
            if (h.rack().equals(a.get("rack")) && i != null && plans.get(rack.name()).usable(i)
                    && !used.computeIfAbsent(rack.name(), r -> new BitSet()).get(i)) {
                used.get(rack.name()).set(i);
                index.put(h.hostname(), i);
            }
            Long n = parseLong(a.get("bgp.asn"));
            if (n != null && n >= site.asn().server() && usedAsns.add(n)) asn.put(h.hostname(), n);
        }
        long nextAsn = site.asn().server();
        Map<String, Map<String, String>> changed = new LinkedHashMap<>();
        for (Host h : sorted) {
            Site.Rack rack = site.rack(h.rack());
            if (rack == null) {
                problems.add(h.hostname() + ": rack " + h.rack() + " is not in the site plan");
                continue;
            }
            Integer i = index.get(h.hostname());
            if (i == null) {
                BitSet taken = used.computeIfAbsent(rack.name(), r -> new BitSet());
                RackPlan plan = plans.get(rack.name());
                int capacity = plan.capacity();
                int candidate = taken.nextClearBit(plan.first());
                while (candidate < capacity && (taken.get(candidate) || !plan.usable(candidate))) candidate++;
                if (candidate >= capacity) {
                    problems.add(h.hostname() + ": rack " + rack.name() + " has no free address left");
                    continue;
                }
                taken.set(candidate);
                i = candidate;
            }
            Long n = asn.get(h.hostname());
            if (n == null) {
                while (usedAsns.contains(nextAsn)) nextAsn++;
                n = nextAsn;
                usedAsns.add(n);
            }
            Map<String, String> a = addresses(rack, i, n);
            if (!a.equals(h.addresses())) changed.put(h.hostname(), a);
        }
        return new Outcome(changed, problems);
    }

    static Map<String, String> addresses(Site.Rack rack, int i, long asn) {
        Map<String, String> a = new TreeMap<>();
        a.put("rack", rack.name());
        a.put("index", Integer.toString(i));
        a.put("public.ipv4", hostAddress(rack.publicNet().ipv4(), i));
        if (rack.publicNet().ipv6() != null) a.put("public.ipv6", hostAddress(rack.publicNet().ipv6(), i));
        a.put("mgmt.ipv4", hostAddress(rack.mgmt().ipv4(), i));
        a.put("bmc.ipv4", hostAddress(rack.bmc().ipv4(), i));
        a.put("bgp.asn", Long.toString(asn));
        return a;
    }

    private static String hostAddress(String subnet, int i) {
        Cidr c = Cidr.parse(subnet);
        return c.nth(i) + "/" + c.prefix();
    }

    /**
     * Racks that cannot give each of their hosts an address, one line each: the network that
     * runs out first and how many hosts it would have to hold.
     */
    public static List<String> overfull(Site site, Collection<Host> hosts) {
        Map<String, Integer> count = new HashMap<>();
        for (Host h : hosts) count.merge(h.rack(), 1, Integer::sum);
        List<String> out = new ArrayList<>();
        for (Site.Rack r : site.racks()) {
            int n = count.getOrDefault(r.name(), 0);
            RackPlan plan = RackPlan.of(site, r);
            if (n > plan.room()) {
                out.add("rack " + r.name() + " has " + n + " hosts, but its " + plan.limit() + " has room for "
                        + plan.room() + " (from first_host " + site.firstHost() + ", less gateways)");
            }
        }
        return out;
    }

    /** The indexes a rack offers: from first_host up to its capacity, less any network's gateway. */
    private record RackPlan(int first, int capacity, String limit, BitSet gateways) {
        static RackPlan of(Site site, Site.Rack rack) {
            BitSet gateways = new BitSet();
            for (Site.Network n : List.of(rack.publicNet(), rack.mgmt(), rack.bmc())) {
                gateway(gateways, n.ipv4(), n.gateway4());
                if (n.ipv6() != null) gateway(gateways, n.ipv6(), n.gateway6());
            }
            // Capacity: one past the highest index every network holds, and the network that sets it.
            Map<String, String> networks = new LinkedHashMap<>();
            networks.put("public ipv4", rack.publicNet().ipv4());
            if (rack.publicNet().ipv6() != null) networks.put("public ipv6", rack.publicNet().ipv6());
            networks.put("mgmt ipv4", rack.mgmt().ipv4());
            networks.put("bmc ipv4", rack.bmc().ipv4());
            BigInteger capacity = BigInteger.valueOf(Integer.MAX_VALUE);
            String limit = null;
            for (Map.Entry<String, String> n : networks.entrySet()) {
                Cidr cidr = Cidr.parse(n.getValue());
                // IPv4 keeps its last address for broadcast; IPv6 has none.
                BigInteger size = cidr.v6() ? cidr.size() : cidr.size().subtract(BigInteger.ONE);
                if (size.compareTo(capacity) < 0) {
                    capacity = size;
                    limit = n.getKey() + " " + n.getValue();
                }
            }
            return new RackPlan(site.firstHost(), capacity.intValue(), limit, gateways);
        }

        private static void gateway(BitSet gateways, String subnet, String gateway) {
            BigInteger offset = Cidr.address(gateway).subtract(Cidr.parse(subnet).network());
            if (offset.signum() >= 0 && offset.bitLength() < 31) gateways.set(offset.intValue());
        }

        boolean usable(int i) {
            return i >= first && i < capacity && !gateways.get(i);
        }

        /** How many hosts the rack can hold. */
        int room() {
            if (capacity <= first) return 0;
            return capacity - first - gateways.get(first, capacity).cardinality();
        }
    }

    private static Integer parseInt(String s) {
        try {
            return s == null ? null : Integer.valueOf(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Long parseLong(String s) {
        try {
            return s == null ? null : Long.valueOf(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}

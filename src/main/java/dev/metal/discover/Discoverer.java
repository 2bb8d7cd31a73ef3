package dev.metal.discover;

import dev.metal.model.Host;
import dev.metal.model.HostState;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Finds each host's BMC address in a DHCP lease file by the BMC's MAC; the caller records it. */
public final class Discoverer {
    /** What happened to one host: found (with its address), unchanged, or no lease. */
    public record Entry(String hostname, String bmcMac, String address, String outcome, String previousAddress) {}

    public record Outcome(Path leases, Leases.Format format, List<Entry> hosts) {
        public List<Entry> missing() {
            return hosts.stream().filter(e -> e.outcome().equals("no lease")).toList();
        }
    }

    private Discoverer() {}

    /** A host to store with its new BMC address (and state), with the journal detail. */
    public record Change(Host host, Map<String, Object> detail) {}

    /** What discovery found, and the changes that record it. */
    public record Plan(Outcome outcome, List<Change> changes) {}

    /**
     * The BMC address of each host whose BMC MAC has a lease, with the BMCs' web service at
     * {@code scheme} and {@code port} (0: the scheme's own). The address is the bare IP when
     * both are the defaults, else a URL such as https://10.0.0.5:8443.
     */
    public static Plan plan(Path leaseFile, Leases.Parsed parsed, Iterable<Host> hosts, List<String> only, String scheme,
                            int port, Instant now) {
        Map<String, Leases.Lease> leases = parsed.byMac();
        List<Change> changes = new ArrayList<>();
        List<Entry> entries = new ArrayList<>();
        for (Host h : hosts) {
            if (!only.isEmpty() && !only.contains(h.hostname())) continue;
            Leases.Lease lease = leases.get(h.bmc().mac());
            String old = h.bmc().address();
            String address = lease == null ? null : address(lease.ip(), scheme, port);
            if (lease == null) {
                entries.add(new Entry(h.hostname(), h.bmc().mac(), old,
                        old == null ? "no lease" : "no lease (keeps " + old + ")", old));
                continue;
            }
            Host next = h;
            boolean changed = !address.equals(old);
            if (changed) next = next.withBmc(h.bmc().withAddress(address));
            if (h.state() == HostState.IMPORTED || h.state() == HostState.FAILED) {
                next = next.moveTo(HostState.DISCOVERED, "BMC lease " + lease.ip(), now);
            }
            if (!next.equals(h)) {
                Map<String, Object> detail = new LinkedHashMap<>();
                detail.put("bmcAddress", address);
                if (old != null) detail.put("previous", old);
                changes.add(new Change(next, detail));
            }
            entries.add(new Entry(h.hostname(), h.bmc().mac(), address, changed ? "found" : "unchanged", old));
        }
        return new Plan(new Outcome(leaseFile, parsed.format(), entries), changes);
    }

    /** The address to store for a leased IP: the IP alone for https on 443, else a URL. */
    public static String address(String ip, String scheme, int port) {
        boolean https = scheme.equals("https");
        int defaultPort = https ? 443 : 80;
        if (https && (port == 0 || port == defaultPort)) return ip;
        String host = ip.contains(":") ? "[" + ip + "]" : ip;
        return scheme + "://" + host + (port == 0 || port == defaultPort ? "" : ":" + port);
    }
}

package dev.metal.discover;

import dev.metal.model.Host;
import dev.metal.model.HostState;
import dev.metal.state.StateStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Finds each host's BMC address in a DHCP lease file by the BMC's MAC and records it. */
public final class Discoverer {
    /** What happened to one host: found (with its address), unchanged, or no lease. */
    public record Entry(String hostname, String bmcMac, String address, String outcome, String previousAddress) {}

    public record Outcome(Path leases, Leases.Format format, List<Entry> hosts) {
        public List<Entry> missing() {
            return hosts.stream().filter(e -> e.outcome().equals("no lease")).toList();
        }
    }

    private final StateStore store;

    public Discoverer(StateStore store) {
        this.store = store;
    }

    /**
     * Stores the BMC address of each host whose BMC MAC has a lease (format null: detected),
     * with the BMCs' web service at {@code scheme} and {@code port} (0: the scheme's own). The
     * address stored is the bare IP when both are the defaults, else a URL such as https://10.0.0.5:8443.
     */
    public Outcome discover(Path leaseFile, Leases.Format format, List<String> only, String scheme, int port) {
        Leases.Parsed parsed = Leases.read(leaseFile, format);
        Map<String, Leases.Lease> leases = parsed.byMac();
        return store.update(tx -> {
            List<Entry> entries = new ArrayList<>();
            for (Host h : List.copyOf(tx.hosts())) {
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
                    next = next.moveTo(HostState.DISCOVERED, "BMC lease " + lease.ip(), tx.now());
                }
                if (!next.equals(h)) {
                    Map<String, Object> detail = new LinkedHashMap<>();
                    detail.put("bmc_address", address);
                    if (old != null) detail.put("previous", old);
                    tx.put(next, "discovered", detail);
                }
                entries.add(new Entry(h.hostname(), h.bmc().mac(), address, changed ? "found" : "unchanged", old));
            }
            return new Outcome(leaseFile, parsed.format(), entries);
        });
    }

    /** The address to store for a leased IP: the IP alone for https on 443, else a URL. */
    static String address(String ip, String scheme, int port) {
        boolean https = scheme.equals("https");
        int defaultPort = https ? 443 : 80;
        if (https && (port == 0 || port == defaultPort)) return ip;
        String host = ip.contains(":") ? "[" + ip + "]" : ip;
        return scheme + "://" + host + (port == 0 || port == defaultPort ? "" : ":" + port);
    }
}

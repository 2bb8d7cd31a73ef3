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

    public Outcome discover(Path leaseFile, Leases.Format format, List<String> only) {
        Leases.Format f = format;
        Map<String, Leases.Lease> leases = Leases.read(leaseFile, f);
        if (f == null) {
            try {
                f = Leases.detect(java.nio.file.Files.readString(leaseFile));
            } catch (java.io.IOException e) {
                f = null;
            }
        }
        Leases.Format used = f;
        return store.update(tx -> {
            List<Entry> entries = new ArrayList<>();
            for (Host h : List.copyOf(tx.hosts())) {
                if (!only.isEmpty() && !only.contains(h.hostname())) continue;
                Leases.Lease lease = leases.get(h.bmc().mac());
                String old = h.bmc().address();
                if (lease == null) {
                    entries.add(new Entry(h.hostname(), h.bmc().mac(), old,
                            old == null ? "no lease" : "no lease (keeps " + old + ")", old));
                    continue;
                }
                Host next = h;
                boolean changed = !lease.ip().equals(old);
                if (changed) next = next.withBmc(h.bmc().withAddress(lease.ip()));
                if (h.state() == HostState.IMPORTED || h.state() == HostState.FAILED) {
                    next = next.moveTo(HostState.DISCOVERED, "BMC lease " + lease.ip(), tx.now());
                }
                if (!next.equals(h)) {
                    Map<String, Object> detail = new LinkedHashMap<>();
                    detail.put("bmc_address", lease.ip());
                    if (old != null) detail.put("previous", old);
                    tx.put(next, "discovered", detail);
                }
                entries.add(new Entry(h.hostname(), h.bmc().mac(), lease.ip(), changed ? "found" : "unchanged", old));
            }
            return new Outcome(leaseFile, used, entries);
        });
    }
}

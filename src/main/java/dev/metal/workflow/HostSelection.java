package dev.metal.workflow;

import dev.metal.model.BadInputException;
import dev.metal.model.Host;
import dev.metal.state.HostQuery;
import dev.metal.state.Store;
import dev.metal.state.Transaction;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Which hosts a command works on: the hosts named (in the order given, once each), every
 * host (--all), or the hosts of one rack (--rack). Exactly one of the three. What a
 * command then does with hosts it cannot work on is its own rule.
 */
public record HostSelection(List<String> names, boolean all, String rack) {
    public HostSelection {
        names = names == null ? List.of() : List.copyOf(new LinkedHashSet<>(names));
        int ways = (names.isEmpty() ? 0 : 1) + (all ? 1 : 0) + (rack == null ? 0 : 1);
        if (ways != 1) throw new BadInputException("name the hosts, or give --all or --rack R (one of them)");
    }

    public static HostSelection named(List<String> names) {
        return new HostSelection(names, false, null);
    }

    public static HostSelection every() {
        return new HostSelection(List.of(), true, null);
    }

    /** Whether the hosts were named one by one (then a host that does not fit is an error, not passed over). */
    public boolean byName() {
        return !names.isEmpty();
    }

    /** The hosts, read now; an unknown name, an empty rack or an empty state is bad input. */
    public List<Host> hosts(Store store, boolean inventories) {
        if (byName()) return named(store::host);
        return nonEmpty(store.hosts(query(inventories)));
    }

    /** The same, read and locked inside a change. */
    public List<Host> hosts(Transaction tx, boolean inventories) {
        if (byName()) return named(tx::host);
        return nonEmpty(tx.hosts(query(inventories)));
    }

    private HostQuery query(boolean inventories) {
        HostQuery q = rack == null ? HostQuery.all() : HostQuery.all().inRack(rack);
        return inventories ? q.withInventories() : q;
    }

    private List<Host> named(java.util.function.Function<String, Host> read) {
        List<String> unknown = new ArrayList<>();
        List<Host> hosts = new ArrayList<>();
        for (String name : names) {
            Host h = read.apply(name);
            if (h == null) unknown.add("unknown host " + name);
            else hosts.add(h);
        }
        if (!unknown.isEmpty()) throw new BadInputException(unknown);
        return hosts;
    }

    private List<Host> nonEmpty(List<Host> hosts) {
        if (hosts.isEmpty()) throw new BadInputException(all ? "no hosts in the state file" : "no hosts in rack " + rack);
        return hosts;
    }
}

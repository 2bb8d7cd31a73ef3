package dev.metal.workflow;

import dev.metal.discover.Discoverer;
import dev.metal.discover.Leases;
import dev.metal.model.BadInputException;
import dev.metal.state.HostQuery;
import dev.metal.state.Store;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** 'metal discover': BMC addresses from a DHCP lease file, stored in one change. */
public final class DiscoverService {
    private final Store store;

    public DiscoverService(Store store) {
        this.store = store;
    }

    /** @param format null: recognized from the content; @param only no names: every host */
    public Discoverer.Outcome discover(Path leaseFile, Leases.Format format, List<String> only, String scheme, int port) {
        List<String> problems = new ArrayList<>();
        if (!scheme.equals("https") && !scheme.equals("http")) problems.add("--scheme must be https or http, not '" + scheme + "'");
        if (port < 0 || port > 65535) problems.add("--port " + port + " is out of range");
        if (!problems.isEmpty()) throw new BadInputException(problems);
        Leases.Parsed parsed = Leases.read(leaseFile, format);
        return store.update(tx -> {
            Discoverer.Plan plan = Discoverer.plan(leaseFile, parsed, tx.hosts(HostQuery.all()), only, scheme, port,
                    tx.now());
            for (Discoverer.Change c : plan.changes()) tx.put(c.host(), "discovered", c.detail());
            return plan.outcome();
        });
    }
}

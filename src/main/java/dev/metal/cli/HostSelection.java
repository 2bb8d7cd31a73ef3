package dev.metal.cli;

import dev.metal.model.BadInputException;
import dev.metal.model.Host;
import dev.metal.state.State;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Hosts named on the command line, or every host (--all), or the hosts of one rack (--rack). */
final class HostSelection {
    @Parameters(paramLabel = "HOST", arity = "0..*", description = "Host names.")
    List<String> hosts = new ArrayList<>();

    @Option(names = "--all", description = "Every host in the state file.")
    boolean all;

    @Option(names = "--rack", paramLabel = "R", description = "The hosts of this rack.")
    String rack;

    /** The host names to act on; naming hosts and --all/--rack together is a usage error. */
    List<String> resolve(State state) {
        int ways = (hosts.isEmpty() ? 0 : 1) + (all ? 1 : 0) + (rack == null ? 0 : 1);
        if (ways != 1) throw new BadInputException("name the hosts, or give --all or --rack R (one of them)");
        if (!hosts.isEmpty()) return hosts;
        List<String> names = new ArrayList<>();
        for (Host h : state.hosts().values()) {
            if (all || rack.equals(h.rack())) names.add(h.hostname());
        }
        if (names.isEmpty()) throw new BadInputException(all ? "no hosts in the state file" : "no hosts in rack " + rack);
        return names;
    }
}

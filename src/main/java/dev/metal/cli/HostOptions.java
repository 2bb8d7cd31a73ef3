package dev.metal.cli;

import dev.metal.workflow.HostSelection;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Hosts named on the command line, or every host (--all), or the hosts of one rack (--rack). */
final class HostOptions {
    @Parameters(paramLabel = "HOST", arity = "0..*", description = "Host names.")
    List<String> hosts = new ArrayList<>();

    @Option(names = "--all", description = "Every host in the state file.")
    boolean all;

    @Option(names = "--rack", paramLabel = "R", description = "The hosts of this rack.")
    String rack;

    /** Naming hosts and --all or --rack together is a usage error. */
    HostSelection selection() {
        return new HostSelection(hosts, all, rack);
    }
}

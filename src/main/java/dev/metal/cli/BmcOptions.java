package dev.metal.cli;

import dev.metal.bmc.PowerService;
import dev.metal.bmc.Protocol;
import dev.metal.state.StateStore;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The options every command that talks to BMCs for power or boot shares. */
final class BmcOptions {
    @Option(names = "--via", paramLabel = "P", defaultValue = "auto",
            description = "BMC protocol: ${COMPLETION-CANDIDATES} (auto: Redfish when the BMC has it, else IPMI; "
                    + "default: ${DEFAULT-VALUE}).")
    Protocol via;

    @Option(names = "--parallel", paramLabel = "N", defaultValue = "16",
            description = "Hosts worked on at once (default: ${DEFAULT-VALUE}).")
    int parallel;

    @Option(names = "--interval", paramLabel = "DUR", defaultValue = "200ms", converter = DurationConverter.class,
            description = "Least time between two commands to the same BMC (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--wait", paramLabel = "DUR", defaultValue = "60s", converter = DurationConverter.class,
            description = "How long to read back a change until it shows (default: ${DEFAULT-VALUE}).")
    Duration wait;

    @Option(names = "--force", description = "Act on hosts in state active too.")
    boolean force;

    /** The power and boot service these options ask for, on this state file. */
    PowerService service(StateStore store) {
        return new PowerService(store, Wiring.connector.apply(store),
                new PowerService.Settings(via, parallel, interval, wait, Duration.ofMillis(500), force));
    }
}

package dev.metal.cli;

import dev.metal.bmc.PowerService;
import dev.metal.bmc.Protocol;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The options every command that talks to BMCs for power or boot shares. */
final class BmcOptions {
    @Option(names = "--via", paramLabel = "P", defaultValue = "auto",
            description = "Protocol: redfish, ipmi or auto (Redfish when the BMC has it, else IPMI; default: ${DEFAULT-VALUE}).")
    String via;

    @Option(names = "--parallel", paramLabel = "N", defaultValue = "16",
            description = "Hosts worked on at once (default: ${DEFAULT-VALUE}).")
    int parallel;

    @Option(names = "--interval", paramLabel = "MS", defaultValue = "200",
            description = "Minimum milliseconds between two commands to the same BMC (default: ${DEFAULT-VALUE}).")
    long intervalMillis;

    @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "60",
            description = "How long to read back a change until it shows (default: ${DEFAULT-VALUE}).")
    double waitSeconds;

    @Option(names = "--force", description = "Act on hosts in state active too.")
    boolean force;

    PowerService.Settings settings() {
        Protocol protocol = switch (via.toLowerCase(java.util.Locale.ROOT)) {
            case "redfish" -> Protocol.REDFISH;
            case "ipmi" -> Protocol.IPMI;
            case "auto" -> Protocol.AUTO;
            default -> throw new dev.metal.model.BadInputException("--via must be redfish, ipmi or auto, not '" + via + "'");
        };
        if (waitSeconds <= 0) throw new dev.metal.model.BadInputException("--wait must be positive");
        if (intervalMillis < 0) throw new dev.metal.model.BadInputException("--interval must not be negative");
        return new PowerService.Settings(protocol, parallel, Duration.ofMillis(intervalMillis),
                Duration.ofMillis((long) (waitSeconds * 1000)), Duration.ofMillis(500), force);
    }
}

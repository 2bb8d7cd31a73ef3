package dev.metal.cli;

import dev.metal.bmc.ProviderOptions;
import dev.metal.workflow.PowerService;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options of the commands that power and boot hosts through their BMCs. */
final class PowerOptions {
    /** What --parallel is for power and boot. */
    static final Map<String, String> DEFAULTS = Map.of("--parallel", "16");

    @Mixin
    ViaOption via;

    @Mixin
    ParallelOption parallel;

    @Option(names = "--interval", paramLabel = "DUR", defaultValue = "200ms", converter = DurationConverter.class,
            description = "Least time between two commands to the same BMC (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--wait", paramLabel = "DUR", defaultValue = "60s", converter = DurationConverter.class,
            description = "How long to read back a change until it shows (default: ${DEFAULT-VALUE}).")
    Duration wait;

    @Option(names = "--force", description = "Act on hosts in state active too.")
    boolean force;

    /** The power and boot service these options ask for, for this command's state. */
    PowerService service(BaseCommand command) {
        PowerService.Settings settings = new PowerService.Settings(via.via, parallel.parallel, interval, wait,
                Duration.ofMillis(500), force);
        var services = command.services();
        return new PowerService(command.store(), services.bmcs(command.store(),
                ProviderOptions.defaults(command.log(), services.clock()), false, interval), settings, command.log());
    }
}

package dev.metal.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** --for DUR, hidden: how long a long-running command (serve, lab up) runs, for scripts and tests. */
final class ForOption {
    @Option(names = "--for", paramLabel = "DUR", converter = DurationConverter.class, hidden = true,
            description = "Stop after this long (for scripts and tests).")
    Duration duration;
}

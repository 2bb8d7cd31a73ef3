package dev.metal.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** --timeout DUR; each command that takes it gives its default (see {@link BaseCommand#defaults}). */
final class TimeoutOption {
    @Option(names = "--timeout", paramLabel = "DUR", converter = DurationConverter.class,
            description = "How long to wait for one answer: a BMC's when scraping, a host's phone-home after power on "
                    + "when provisioning (default: ${DEFAULT-VALUE}).")
    Duration timeout;
}

package dev.metal.cli;

import picocli.CommandLine.Option;

/** --parallel N; each command that takes it gives its default (see {@link BaseCommand#defaults}). */
final class ParallelOption {
    @Option(names = "--parallel", paramLabel = "N", description = "Hosts worked on at once (default: ${DEFAULT-VALUE}).")
    int parallel;
}

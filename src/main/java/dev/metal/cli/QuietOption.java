package dev.metal.cli;

import picocli.CommandLine.Option;

/** {@code --quiet}: no progress on stderr (the live view on a terminal, the step lines in a pipe). */
final class QuietOption {
    @Option(names = {"-q", "--quiet"}, description = "Show no progress on stderr (a live view on a terminal, "
            + "a line per host step otherwise).")
    boolean quiet;
}

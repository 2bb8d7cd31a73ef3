package dev.metal.cli;

import dev.metal.bmc.Protocol;
import picocli.CommandLine.Option;

/** --via P: which BMC protocol the commands that power and boot hosts use. */
final class ViaOption {
    @Option(names = "--via", paramLabel = "P", defaultValue = "auto", completionCandidates = Values.class,
            description = "BMC protocol: ${COMPLETION-CANDIDATES} (auto: Redfish when the BMC has it, else IPMI; "
                    + "default: ${DEFAULT-VALUE}).")
    Protocol via;

    /** The values in the lower case users type (and --help shows). */
    static final class Values extends java.util.ArrayList<String> {
        Values() {
            for (Protocol p : Protocol.values()) add(p.name().toLowerCase(java.util.Locale.ROOT));
        }
    }
}

package dev.metal.bmc;

import dev.metal.model.Host;

/** Opens a session to a host's BMC over the protocol asked for. */
@FunctionalInterface
public interface BmcConnector {
    BmcSession open(Host host, Protocol protocol);
}

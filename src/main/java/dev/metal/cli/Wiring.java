package dev.metal.cli;

import dev.metal.bmc.CertificatePins;
import dev.metal.bmc.ProtocolConnector;
import dev.metal.bmc.RedfishBmcSession;
import dev.metal.boot.BootContent;
import dev.metal.boot.RenderedBootContent;
import dev.metal.ipmi.IpmiSession;
import dev.metal.redfish.RedfishClient;
import dev.metal.state.StateStore;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The parts the commands get from other packages: how to reach a BMC and what the boot
 * server serves. Main wires the real ones here; tests put the lab's in their place.
 */
public final class Wiring {
    private Wiring() {}

    /** Redfish (pinning certificates met for the first time in this state) and IPMI. */
    public static volatile Function<StateStore, ProtocolConnector> connector = store -> new ProtocolConnector(
            RedfishBmcSession.connector(RedfishClient.Options.defaults(),
                    (hostname, fingerprint) -> CertificatePins.remember(store, hostname, fingerprint)),
            IpmiSession.Options.DEFAULT);

    public static volatile Supplier<BootContent> bootContent = () -> new RenderedBootContent(null);
}

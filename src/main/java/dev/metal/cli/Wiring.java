package dev.metal.cli;

import dev.metal.bmc.ProtocolConnector;
import dev.metal.bmc.RedfishBmcSession;
import dev.metal.redfish.RedfishClient;
import dev.metal.ipmi.IpmiSession;
import dev.metal.boot.BootContent;
import java.util.function.Function;
import java.util.function.Supplier;
import dev.metal.boot.RenderedBootContent;
import dev.metal.state.StateStore;

/**
 * The parts the commands get from other packages: how to reach a BMC and what the boot
 * server serves. Main wires the real ones here; tests put the lab's in their place.
 */
public final class Wiring {
    private Wiring() {}

    public static volatile Supplier<ProtocolConnector> connector = () -> new ProtocolConnector(
            RedfishBmcSession.connector(RedfishClient.Options.defaults()), IpmiSession.Options.DEFAULT);

    public static volatile Function<StateStore, BootContent> bootContent = store -> new RenderedBootContent(store, null);
}

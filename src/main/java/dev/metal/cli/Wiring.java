package dev.metal.cli;

import dev.metal.bmc.BmcConnector;
import dev.metal.boot.BootContent;
import dev.metal.model.Host;
import java.util.function.Supplier;

/**
 * The parts the commands get from other packages: how to reach a BMC and what the boot
 * server serves. Main wires the real ones here; tests put the lab's in their place.
 */
public final class Wiring {
    private Wiring() {}

    public static volatile Supplier<BmcConnector> connector = () -> (host, protocol) -> {
        throw new IllegalStateException(host.hostname() + ": no BMC protocol is built into this metal");
    };

    public static volatile Supplier<BootContent> bootContent = Unwired::new;

    /** Until the renderer is wired: every host boots its disk, and provisioning scripts say why they stop. */
    private static final class Unwired implements BootContent {
        @Override
        public String ipxeScript(Host host, String baseUrl, String token) {
            return "#!ipxe\necho metal: no boot content is configured for " + host.hostname() + "\nexit 1\n";
        }

        @Override
        public PixiecoreBoot pixiecore(Host host, String baseUrl, String token) {
            throw new IllegalStateException("no boot content is configured");
        }

        @Override
        public String config(Host host, String kind, String baseUrl, String token) {
            return null;
        }
    }
}

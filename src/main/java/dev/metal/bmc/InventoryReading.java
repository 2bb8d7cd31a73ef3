package dev.metal.bmc;

import dev.metal.model.Inventory;
import java.time.Duration;

/**
 * One host's inventory as read from its BMC, or the one-line reason it could not be, with
 * what the reading cost. {@code certificateChanged}: the BMC showed a certificate other
 * than the pinned one (a hard stop for the host). {@code fingerprint}: the certificate seen.
 */
public record InventoryReading(String hostname, Inventory inventory, String error, boolean certificateChanged,
                               String fingerprint, long requests, long bytes, Duration time, int depth) {
    public boolean ok() {
        return error == null;
    }

    /** A reading that never reached a BMC. */
    static InventoryReading failed(String hostname, String error) {
        return new InventoryReading(hostname, null, error, false, null, 0, 0, Duration.ZERO, 0);
    }
}

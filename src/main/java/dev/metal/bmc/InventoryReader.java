package dev.metal.bmc;

import dev.metal.model.Host;

/** Reads a host's hardware inventory from its BMC: log in, walk, log out. */
@FunctionalInterface
public interface InventoryReader {
    /**
     * Never throws for a BMC fault: the reading says what failed.
     *
     * @param pin the certificate fingerprint the BMC must show, or null to take any (and report it)
     */
    InventoryReading read(Host host, String pin);
}

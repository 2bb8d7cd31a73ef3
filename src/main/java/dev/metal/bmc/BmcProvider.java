package dev.metal.bmc;

import dev.metal.model.ConflictException;
import dev.metal.model.Host;

/**
 * One way to reach BMCs (Redfish, IPMI, the lab's in-process BMCs). {@link Bmcs} tries the
 * providers in order; each offers the capabilities it has.
 */
public interface BmcProvider {
    Protocol protocol();

    /**
     * Opens a session for power and boot control.
     *
     * @param pin the certificate fingerprint the BMC must show, or null to take any
     * @throws dev.metal.model.CertificateChangedException when the BMC shows another certificate
     */
    BmcSession open(Host host, String pin);

    /** Reads inventories, or null when this provider cannot (IPMI has no inventory worth the name). */
    default InventoryReader inventory() {
        return null;
    }

    /** The host's BMC address; a host that has none yet is one discovery has not reached. */
    static String address(Host host) {
        String address = host.bmc().address();
        if (address == null || address.isBlank()) {
            throw new ConflictException(host.hostname() + " has no BMC address yet (run 'metal discover')");
        }
        return address;
    }
}

package dev.metal.bmc;

/**
 * An open connection to one BMC, over one protocol, that can read and change power and
 * the boot override. Closing it ends the BMC session.
 */
public interface BmcSession extends AutoCloseable {
    /** REDFISH or IPMI: the protocol that acts. */
    Protocol protocol();

    PowerState powerState();

    /** Sends the action; confirmation (reading back) is the caller's job. */
    void power(PowerAction action);

    BootOverride bootOverride();

    void setBootOverride(BootOverride override);

    @Override
    void close();
}

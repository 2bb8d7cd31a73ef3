package dev.metal.bmc;

/**
 * An open connection to one BMC, over one protocol, that can read and change power and
 * the boot override. Closing it ends the BMC session.
 */
public interface BmcSession extends AutoCloseable {
    PowerState powerState();

    /** Sends the action; confirmation (reading back) is the caller's job. */
    void power(PowerAction action);

    BootOverride bootOverride();

    void setBootOverride(BootOverride override);

    /**
     * Whether {@code readBack}, read after setting {@code wanted}, shows that the override
     * took. Exact equality here; a protocol whose BMCs keep only part of it refines this.
     */
    default boolean shows(BootOverride wanted, BootOverride readBack) {
        return wanted.equals(readBack);
    }

    @Override
    void close();
}

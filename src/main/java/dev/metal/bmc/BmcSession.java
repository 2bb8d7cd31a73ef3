package dev.metal.bmc;

/**
 * An open session with one BMC, over one provider, offering power and boot control.
 * Closing it ends the BMC's session.
 */
public interface BmcSession extends PowerControl, BootControl, AutoCloseable {
    /** The TLS certificate the BMC showed (its fingerprint), or null: no TLS, or not checked. */
    default String fingerprint() {
        return null;
    }

    @Override
    void close();
}

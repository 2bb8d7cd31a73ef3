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

    /**
     * The last lines the host wrote to its serial console, as the BMC keeps them, oldest
     * first; empty when the BMC keeps none (IPMI's Serial over LAN is live only) or says nothing.
     */
    default java.util.List<String> consoleTail(int lines) {
        return java.util.List.of();
    }

    @Override
    void close();
}

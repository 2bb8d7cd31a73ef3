package dev.metal.bmc;

import dev.metal.model.Host;

/**
 * Trust on first use, for every provider and every command: the certificate a BMC shows the
 * first time metal meets it is pinned, and a BMC that later shows another one is refused
 * (the provider throws {@link dev.metal.model.CertificateChangedException}) until it is
 * pinned again with --repin. Where pins are kept is the caller's business.
 */
public final class CertificatePins {
    /** Keeps a pin: the fingerprint a host's BMC showed on first contact (or on a --repin). */
    @FunctionalInterface
    public interface Keeper {
        void pin(Host host, String fingerprint);
    }

    private final Keeper keeper;
    private final boolean repin;

    /** @param repin take whatever certificate each BMC shows now, and pin it */
    public CertificatePins(Keeper keeper, boolean repin) {
        this.keeper = keeper;
        this.repin = repin;
    }

    /** The fingerprint the host's BMC must show, or null when any is taken (first contact, --repin). */
    public String expected(Host host) {
        return repin ? null : host.bmc().tlsFingerprint();
    }

    /** A contact that worked showed {@code fingerprint} (null: no TLS, or not checked): pin it if it is new. */
    public void contacted(Host host, String fingerprint) {
        if (fingerprint == null) return;
        String pinned = host.bmc().tlsFingerprint();
        if (fingerprint.equals(pinned)) return;
        if (pinned == null || repin) keeper.pin(host, fingerprint);
    }
}

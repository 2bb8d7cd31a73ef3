package dev.metal.bmc;

import dev.metal.model.Host;
import dev.metal.state.StateStore;
import java.util.Map;

/** Trust on first use: the certificate a BMC shows the first time metal meets it is pinned in the state. */
public final class CertificatePins {
    private CertificatePins() {}

    /** Pins {@code fingerprint} for the host unless it already has a pin (a changed one is refused before this). */
    public static void remember(StateStore store, String hostname, String fingerprint) {
        store.update(tx -> {
            Host h = tx.host(hostname);
            if (h != null && h.bmc().tlsFingerprint() == null) {
                tx.put(h.withBmc(h.bmc().withTlsFingerprint(fingerprint)), "tls-pinned",
                        Map.of("fingerprint", fingerprint));
            }
            return null;
        });
    }
}

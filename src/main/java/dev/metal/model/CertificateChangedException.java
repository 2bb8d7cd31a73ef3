package dev.metal.model;

/**
 * A BMC shows a TLS certificate other than the one pinned at first contact: it may not be
 * ours. Work on that host stops over every protocol until the certificate is pinned again.
 */
public class CertificateChangedException extends BmcException {
    public CertificateChangedException(String message) {
        super(message);
    }
}

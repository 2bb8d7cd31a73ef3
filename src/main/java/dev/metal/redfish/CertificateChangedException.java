package dev.metal.redfish;

/** The BMC shows a certificate other than the one pinned at first contact. */
public final class CertificateChangedException extends RedfishException {
    public CertificateChangedException(String host, String pinned, String presented) {
        super(host + ": BMC certificate changed: pinned " + pinned + ", now " + presented
                + " (if the BMC was replaced or re-keyed, check it and scrape with --repin)");
    }
}

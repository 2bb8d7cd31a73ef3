package dev.metal.redfish;

/** The BMC shows a certificate other than the one pinned at first contact. */
public final class CertificateChangedException extends RedfishException {
    private final String pinned;
    private final String presented;

    public CertificateChangedException(String host, String pinned, String presented) {
        super(host + ": BMC certificate changed: pinned " + pinned + ", now " + presented
                + " (if the BMC was replaced or re-keyed, check it and scrape with --repin)");
        this.pinned = pinned;
        this.presented = presented;
    }

    public String pinned() {
        return pinned;
    }

    public String presented() {
        return presented;
    }
}

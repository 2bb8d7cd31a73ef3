package dev.metal.model;

/**
 * How to reach a host's BMC. {@code address} is what the user gave or discovery found:
 * an IP, a name, host:port or a URL; {@code tlsFingerprint} is pinned at first contact.
 */
public record Bmc(String mac, String address, String user, Secret password, int ipmiPort, String tlsFingerprint) {
    public static final int DEFAULT_IPMI_PORT = 623;

    public Bmc withAddress(String newAddress) {
        return new Bmc(mac, newAddress, user, password, ipmiPort, tlsFingerprint);
    }

    public Bmc withTlsFingerprint(String fingerprint) {
        return new Bmc(mac, address, user, password, ipmiPort, fingerprint);
    }
}

package dev.metal.bmc;

import dev.metal.ipmi.IpmiSession;
import dev.metal.model.Host;

/**
 * The {@link BmcConnector} the commands use: IPMI always, Redfish when a Redfish
 * connector is plugged in. AUTO is resolved by the caller (see {@link #order}).
 */
public final class ProtocolConnector implements BmcConnector {
    private final BmcConnector redfish;
    private final IpmiSession.Options ipmiOptions;

    /** @param redfish the Redfish side, or null while metal has none */
    public ProtocolConnector(BmcConnector redfish, IpmiSession.Options ipmiOptions) {
        this.redfish = redfish;
        this.ipmiOptions = ipmiOptions;
    }

    public static ProtocolConnector ipmiOnly(IpmiSession.Options options) {
        return new ProtocolConnector(null, options);
    }

    @Override
    public BmcSession open(Host host, Protocol protocol) {
        return switch (protocol) {
            case IPMI -> IpmiBmcSession.open(host, ipmiOptions);
            case REDFISH -> {
                if (redfish == null) {
                    throw new UnsupportedOperationException(
                            "power and boot control over Redfish is not available yet; use --via ipmi");
                }
                yield redfish.open(host, Protocol.REDFISH);
            }
            case AUTO -> throw new IllegalArgumentException("resolve AUTO with order() first");
        };
    }

    /** The protocols to try, in order, for what was asked. */
    public java.util.List<Protocol> order(Protocol via) {
        if (via != Protocol.AUTO) return java.util.List.of(via);
        return redfish == null ? java.util.List.of(Protocol.IPMI) : java.util.List.of(Protocol.REDFISH, Protocol.IPMI);
    }
}

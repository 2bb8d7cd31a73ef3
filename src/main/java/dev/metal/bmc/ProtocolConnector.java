package dev.metal.bmc;

import dev.metal.ipmi.IpmiSession;
import dev.metal.model.Host;
import dev.metal.model.Log;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@link BmcConnector} the commands use, with a Redfish side and an IPMI side (either
 * may be absent). AUTO opens Redfish and falls back to IPMI when that fails; a caller that
 * wants to fall back per action resolves AUTO itself with {@link #order}.
 */
public final class ProtocolConnector implements BmcConnector {
    private final BmcConnector redfish;
    private final BmcConnector ipmi;

    /** @param redfish the Redfish side, or null; @param ipmi the IPMI side, or null */
    public ProtocolConnector(BmcConnector redfish, BmcConnector ipmi) {
        this.redfish = redfish;
        this.ipmi = ipmi;
    }

    /** Redfish (when given) and IPMI over the network with these options. */
    public ProtocolConnector(BmcConnector redfish, IpmiSession.Options ipmiOptions) {
        this(redfish, (host, protocol) -> IpmiBmcSession.open(host, ipmiOptions));
    }

    @Override
    public BmcSession open(Host host, Protocol protocol) {
        return switch (protocol) {
            case IPMI -> side(ipmi, "IPMI").open(host, Protocol.IPMI);
            case REDFISH -> side(redfish, "Redfish").open(host, Protocol.REDFISH);
            case AUTO -> openAuto(host);
        };
    }

    private static BmcConnector side(BmcConnector connector, String name) {
        if (connector == null) throw new UnsupportedOperationException(name + " is not available here");
        return connector;
    }

    /** The first protocol that opens a session; when none does, the error names what each said. */
    private BmcSession openAuto(Host host) {
        List<RuntimeException> failures = new ArrayList<>();
        List<String> said = new ArrayList<>();
        for (Protocol p : order(Protocol.AUTO)) {
            try {
                return open(host, p);
            } catch (RuntimeException e) {
                Log.debug(host.hostname() + ": " + p + " failed: " + e.getMessage());
                failures.add(e);
                said.add(p.name().charAt(0) + p.name().substring(1).toLowerCase(Locale.ROOT) + ": " + e.getMessage());
            }
        }
        if (failures.size() == 1) throw failures.get(0);
        IllegalStateException all = new IllegalStateException(host.hostname() + ": " + String.join("; ", said));
        failures.forEach(all::addSuppressed);
        throw all;
    }

    /** The protocols to try, in order, for what was asked. */
    public List<Protocol> order(Protocol via) {
        if (via != Protocol.AUTO) return List.of(via);
        List<Protocol> order = new ArrayList<>();
        if (redfish != null) order.add(Protocol.REDFISH);
        if (ipmi != null) order.add(Protocol.IPMI);
        return order;
    }
}

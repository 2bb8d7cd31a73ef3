package dev.metal.bmc;

import dev.metal.model.BadInputException;
import dev.metal.model.BmcException;
import dev.metal.model.CertificateChangedException;
import dev.metal.model.Host;
import dev.metal.util.Log;
import dev.metal.util.Secrets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * How workflows reach BMCs: the providers of a run, tried in order, with certificate pins
 * enforced for all of them and commands to one BMC spaced out. Each attempt is recorded:
 * which provider acted and what every other one said. A provider is given up for the next
 * only while nothing was sent (a second one must not repeat a power cycle), and never after
 * a changed certificate: that BMC may not be ours, so the host is a hard stop.
 */
public final class Bmcs {
    private final List<BmcProvider> providers;
    private final CertificatePins pins;
    private final BmcThrottle throttle;
    private final Log log;

    /** @param minInterval least time between two commands to one BMC (zero: no spacing) */
    public Bmcs(List<BmcProvider> providers, CertificatePins pins, Duration minInterval, Log log) {
        this.providers = List.copyOf(providers);
        this.pins = pins;
        this.throttle = new BmcThrottle(minInterval);
        this.log = log;
    }

    /** What a step does on one host, in one session; it calls {@link Contact#sending} before it changes anything. */
    @FunctionalInterface
    public interface Step<R> {
        R apply(BmcSession session, Contact contact);
    }

    /** One provider's try on one host. */
    public static final class Contact {
        private boolean sent;

        /** From now on this try may have acted: no other provider is tried after it. */
        public void sending() {
            sent = true;
        }
    }

    /** A provider that failed before another was tried, and what it said. */
    public record Failure(Protocol protocol, RuntimeException error) {
        public String message() {
            return Bmcs.message(error);
        }
    }

    /**
     * How a step went on one host: its value, the provider that acted (or was tried last), the
     * error that ended it (null when it worked), and the providers that failed before.
     */
    public record Attempt<R>(R value, Protocol protocol, RuntimeException error, List<Failure> failures) {
        public boolean ok() {
            return error == null;
        }

        /** The error and every earlier failure, for a one-line reason: "h1: Redfish: ...; Ipmi: ...". */
        public String describeFailures(String hostname) {
            if (failures.isEmpty()) return message(error);
            List<String> said = new ArrayList<>();
            for (Failure f : failures) said.add(label(f.protocol()) + ": " + f.message());
            said.add(label(protocol) + ": " + message(error));
            return hostname + ": " + String.join("; ", said);
        }
    }

    /** The providers to try for {@code via}, in order. */
    public List<BmcProvider> order(Protocol via) {
        if (via == Protocol.AUTO) return providers;
        return providers.stream().filter(p -> p.protocol() == via).toList();
    }

    /** Runs {@code step} on the host's BMC over the first provider (of {@code via}) that gets it done. */
    public <R> Attempt<R> control(Host host, Protocol via, Step<R> step) {
        List<BmcProvider> order = order(via);
        if (order.isEmpty()) {
            return new Attempt<>(null, via, new BmcException(label(via) + " is not available here"), List.of());
        }
        String name = host.hostname();
        String key = bmcKey(host);
        List<Failure> failures = new ArrayList<>();
        for (int i = 0; ; i++) {
            BmcProvider provider = order.get(i);
            boolean last = i == order.size() - 1;
            Contact contact = new Contact();
            try {
                throttle.await(key);
                BmcSession opened = provider.open(host, pins.expected(host));
                pins.contacted(host, opened.fingerprint());
                try (BmcSession session = throttle.wrap(opened, key)) {
                    return new Attempt<>(step.apply(session, contact), provider.protocol(), null, failures);
                }
            } catch (CertificateChangedException e) {
                log.warn(e.getMessage());
                return new Attempt<>(null, provider.protocol(), e, failures);
            } catch (RuntimeException e) {
                if (!last && !contact.sent) {
                    failures.add(new Failure(provider.protocol(), e));
                    log.info(name + ": " + provider.protocol() + " failed (" + message(e) + "), trying "
                            + order.get(i + 1).protocol());
                    continue;
                }
                return new Attempt<>(null, provider.protocol(), e, failures);
            }
        }
    }

    /** Reads the host's inventory over the first provider that can; a changed certificate stops there. */
    public InventoryReading inventory(Host host) {
        InventoryReading reading = null;
        for (BmcProvider provider : providers) {
            InventoryReader reader = provider.inventory();
            if (reader == null) continue;
            reading = reader.read(host, pins.expected(host));
            if (reading.ok()) {
                pins.contacted(host, reading.fingerprint());
                return reading;
            }
            if (reading.certificateChanged()) {
                log.warn(reading.error());
                return reading;
            }
        }
        return reading != null ? reading
                : InventoryReading.failed(host.hostname(), host.hostname() + ": no BMC provider here reads inventories");
    }

    /**
     * Every host's BMC password can be read (an env: variable that is set, a file: that
     * exists), else bad input naming each host, before any BMC is contacted.
     */
    public static void requireCredentials(Collection<Host> hosts) {
        List<String> problems = new ArrayList<>();
        for (Host h : hosts) {
            try {
                Secrets.resolve(h.bmc().password());
            } catch (BadInputException e) {
                for (String p : e.problems()) problems.add(h.hostname() + ": BMC password: " + p);
            }
        }
        if (!problems.isEmpty()) throw new BadInputException(problems);
    }

    /** One BMC: its address and IPMI port (simulators share an address, each on its own port). */
    private static String bmcKey(Host host) {
        String address = host.bmc().address() == null ? host.hostname() : host.bmc().address();
        return address + "|" + host.bmc().ipmiPort();
    }

    static String message(RuntimeException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static String label(Protocol p) {
        String n = p.name();
        return n.charAt(0) + n.substring(1).toLowerCase(Locale.ROOT);
    }
}

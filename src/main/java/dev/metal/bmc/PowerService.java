package dev.metal.bmc;

import dev.metal.model.BadInputException;
import dev.metal.model.Host;
import dev.metal.model.Parallel;
import dev.metal.model.HostState;
import dev.metal.model.Log;
import dev.metal.state.State;
import dev.metal.state.StateStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Power and boot override for many hosts at once: in parallel, at most one command per
 * {@code minInterval} to any one BMC, each change read back until confirmed, hosts in
 * state active left alone unless forced, and every change journaled.
 */
public final class PowerService {

    /** How a run goes; {@code confirmTimeout} bounds the read-back after a change. */
    public record Settings(Protocol via, int parallel, Duration minInterval, Duration confirmTimeout,
                           Duration pollInterval, boolean force) {
        public Settings {
            if (parallel < 1) throw new BadInputException("--parallel must be at least 1");
        }

        public static Settings defaults() {
            return new Settings(Protocol.AUTO, 16, Duration.ofMillis(200), Duration.ofSeconds(60),
                    Duration.ofMillis(500), false);
        }
    }

    /** What happened to one host. {@code result}: ok, failed or refused. */
    public record Outcome(String host, String action, Protocol protocol, String result, PowerState power,
                          BootOverride boot, String error, List<String> notes) {
        public boolean ok() {
            return "ok".equals(result);
        }
    }

    private final StateStore store;
    private final ProtocolConnector connector;
    private final Settings settings;
    private final BmcThrottle throttle;

    public PowerService(StateStore store, ProtocolConnector connector, Settings settings) {
        this.store = store;
        this.connector = connector;
        this.settings = settings;
        this.throttle = new BmcThrottle(settings.minInterval());
    }

    public List<Outcome> power(List<String> hostnames, PowerAction action) {
        String name = action.name().toLowerCase(Locale.ROOT);
        boolean changes = action != PowerAction.STATUS;
        // Powering on cannot hurt a running server; anything that stops or restarts it can.
        boolean guarded = changes && action != PowerAction.ON;
        return forEach(hostnames, host -> run(host, name, changes, guarded, session -> power(session, action)));
    }

    public List<Outcome> boot(List<String> hostnames, BootOverride override) {
        String name = "boot " + override.device().name().toLowerCase(Locale.ROOT);
        return forEach(hostnames, host -> run(host, name, true, true, session -> boot(session, override)));
    }

    /** What one protocol did on one host: the state seen at the end and notes. */
    private record Done(PowerState power, BootOverride boot, List<String> notes) {}

    private interface Step {
        Done apply(Attempt attempt);
    }

    /** One session on one host, remembering whether a change was sent yet. */
    private static final class Attempt {
        final BmcSession session;
        boolean sent;

        Attempt(BmcSession session) {
            this.session = session;
        }
    }

    private List<Outcome> forEach(List<String> hostnames, Function<Host, Outcome> work) {
        State state = store.load();
        List<String> unknown = new ArrayList<>();
        List<Host> hosts = new ArrayList<>();
        for (String name : new LinkedHashSet<>(hostnames)) {
            Host h = state.host(name);
            if (h == null) unknown.add("unknown host " + name);
            else hosts.add(h);
        }
        if (!unknown.isEmpty()) throw new BadInputException(unknown);
        if (hosts.isEmpty()) return List.of();
        return Parallel.map(hosts, settings.parallel(), "bmc", work);
    }

    /**
     * @param changes whether the step may change the host (then it is journaled)
     * @param guarded whether a host in state active is refused without --force
     */
    private Outcome run(Host host, String action, boolean changes, boolean guarded, Step step) {
        String name = host.hostname();
        if (guarded && host.state() == HostState.ACTIVE && !settings.force()) {
            return journal(new Outcome(name, action, null, "refused", null, null,
                    name + " is active (running user code); use --force to " + action + " it anyway", List.of()));
        }
        List<String> notes = new ArrayList<>();
        List<Protocol> order = connector.order(settings.via());
        Outcome outcome = null;
        for (int i = 0; i < order.size() && outcome == null; i++) {
            Protocol protocol = order.get(i);
            boolean last = i == order.size() - 1;
            Attempt attempt = null;
            try {
                String key = bmcKey(host);
                throttle.await(key);
                BmcSession session = throttle.wrap(connector.open(host, protocol), key);
                attempt = new Attempt(session);
                try (session) {
                    Done done = step.apply(attempt);
                    notes.addAll(done.notes());
                    outcome = new Outcome(name, action, protocol, "ok", done.power(), done.boot(), null, notes);
                }
            } catch (RuntimeException e) {
                String error = message(e);
                // Fall back only while nothing was sent: a second protocol must not repeat a cycle.
                if (!last && (attempt == null || !attempt.sent)) {
                    notes.add(protocol.name().toLowerCase(Locale.ROOT) + " failed: " + error);
                    Log.info(name + ": " + protocol + " failed (" + error + "), trying " + order.get(i + 1));
                    continue;
                }
                outcome = new Outcome(name, action, protocol, "failed", null, null, error, notes);
            }
        }
        Log.info(name + ": " + action + " " + outcome.result() + (outcome.error() == null ? "" : ": " + outcome.error()));
        return changes ? journal(outcome) : outcome;
    }

    /** One BMC: its address and IPMI port (simulators share an address, each on its own port). */
    private static String bmcKey(Host host) {
        String address = host.bmc().address() == null ? host.hostname() : host.bmc().address();
        return address + "|" + host.bmc().ipmiPort();
    }

    private static String message(RuntimeException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private Done power(Attempt attempt, PowerAction action) {
        BmcSession s = attempt.session;
        PowerState before = s.powerState();
        if (action == PowerAction.STATUS) return new Done(before, null, List.of());
        List<String> notes = new ArrayList<>();
        PowerAction send = action;
        PowerState target = switch (action) {
            case OFF, SOFT -> PowerState.OFF;
            default -> PowerState.ON;
        };
        if ((action == PowerAction.CYCLE || action == PowerAction.RESET) && before == PowerState.OFF) {
            send = PowerAction.ON;
            notes.add("was off: powered on");
        } else if (before == target && (action == PowerAction.ON || target == PowerState.OFF)) {
            notes.add("already " + target.name().toLowerCase(Locale.ROOT));
            return new Done(before, null, notes);
        }
        attempt.sent = true;
        s.power(send);
        return new Done(confirmPower(s, target), null, notes);
    }

    /** Reads the power until two reads in a row show {@code target}, or the timeout passes. */
    private PowerState confirmPower(BmcSession s, PowerState target) {
        long deadline = System.nanoTime() + settings.confirmTimeout().toNanos();
        PowerState previous = null;
        PowerState now = null;
        while (true) {
            now = s.powerState();
            if (now == target && previous == target) return now;
            previous = now;
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("power still " + now.name().toLowerCase(Locale.ROOT) + " after "
                        + seconds(settings.confirmTimeout()) + " (wanted " + target.name().toLowerCase(Locale.ROOT) + ")");
            }
            sleep(settings.pollInterval());
        }
    }

    private Done boot(Attempt attempt, BootOverride override) {
        BmcSession s = attempt.session;
        attempt.sent = true;
        s.setBootOverride(override);
        long deadline = System.nanoTime() + settings.confirmTimeout().toNanos();
        while (true) {
            BootOverride read = s.bootOverride();
            if (s.shows(override, read)) return new Done(null, read, List.of());
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("boot override reads back as " + describe(read) + ", not "
                        + describe(override) + ", after " + seconds(settings.confirmTimeout()));
            }
            sleep(settings.pollInterval());
        }
    }

    public static String describe(BootOverride o) {
        if (o == null) return null;
        if (o.device() == BootDevice.NONE) return "none";
        return o.device().name().toLowerCase(Locale.ROOT) + (o.persistent() ? " persistent" : " once")
                + (o.uefi() ? " uefi" : " legacy");
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }

    /** Journals what was done to a host (reads are not journaled). */
    private Outcome journal(Outcome o) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("result", o.result());
        if (o.protocol() != null) detail.put("protocol", o.protocol().name().toLowerCase(Locale.ROOT));
        if (o.power() != null) detail.put("power", o.power().name().toLowerCase(Locale.ROOT));
        if (o.boot() != null) detail.put("boot", describe(o.boot()));
        if (o.error() != null) detail.put("error", o.error());
        if (!o.notes().isEmpty()) detail.put("notes", o.notes());
        store.update(tx -> {
            tx.journal(o.host(), o.action().startsWith("boot") ? o.action() : "power " + o.action(), detail);
            return null;
        });
        return o;
    }
}

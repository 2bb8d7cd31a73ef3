package dev.metal.workflow;

import dev.metal.bmc.BmcSession;
import dev.metal.bmc.Bmcs;
import dev.metal.bmc.BootDevice;
import dev.metal.bmc.BootOverride;
import dev.metal.bmc.PowerAction;
import dev.metal.bmc.PowerState;
import dev.metal.bmc.Protocol;
import dev.metal.model.BadInputException;
import dev.metal.model.BmcException;
import dev.metal.model.Host;
import dev.metal.model.SystemicException;
import dev.metal.state.Store;
import dev.metal.util.Log;
import dev.metal.util.Parallel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Power and boot override for many hosts at once: in parallel, each change read back until
 * confirmed, hosts in state active left alone unless forced, and every change journaled.
 * How a BMC is reached (which provider, pins, spacing of commands) is {@link Bmcs}' job.
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

    private final Store store;
    private final Bmcs bmcs;
    private final Settings settings;
    private final ActiveHostGuard guard;
    private final Log log;

    public PowerService(Store store, Bmcs bmcs, Settings settings, Log log) {
        this.store = store;
        this.bmcs = bmcs;
        this.settings = settings;
        this.guard = new ActiveHostGuard(settings.force());
        this.log = log;
    }

    public List<Outcome> power(HostSelection selection, PowerAction action) {
        String name = action.name().toLowerCase(Locale.ROOT);
        boolean changes = action != PowerAction.STATUS;
        // Powering on cannot hurt a running server; anything that stops or restarts it can.
        boolean guarded = changes && action != PowerAction.ON;
        return forEach(selection, host -> run(host, name, changes, guarded, (s, c) -> power(s, c, action)));
    }

    public List<Outcome> boot(HostSelection selection, BootOverride override) {
        String name = "boot " + override.device().name().toLowerCase(Locale.ROOT);
        return forEach(selection, host -> run(host, name, true, true, (s, c) -> boot(s, c, override)));
    }

    /** What one provider did on one host: the state seen at the end and notes. */
    private record Done(PowerState power, BootOverride boot, List<String> notes) {}

    private List<Outcome> forEach(HostSelection selection, Function<Host, Outcome> work) {
        List<Host> hosts = selection.hosts(store, false);
        Bmcs.requireCredentials(hosts);
        return Parallel.map(hosts, settings.parallel(), "bmc", work);
    }

    /**
     * @param changes whether the step may change the host (then it is journaled)
     * @param guarded whether a host in state active is refused without --force
     */
    private Outcome run(Host host, String action, boolean changes, boolean guarded, Bmcs.Step<Done> step) {
        String name = host.hostname();
        String refusal = guarded ? guard.refusal(host, action) : null;
        if (refusal != null) return journal(new Outcome(name, action, null, "refused", null, null, refusal, List.of()));
        Bmcs.Attempt<Done> attempt = bmcs.control(host, settings.via(), step);
        List<String> notes = new ArrayList<>();
        for (Bmcs.Failure f : attempt.failures()) {
            notes.add(f.protocol().name().toLowerCase(Locale.ROOT) + " failed: "
                    + dev.metal.util.Messages.forHost(name, f.message()));
        }
        Outcome outcome;
        if (attempt.ok()) {
            notes.addAll(attempt.value().notes());
            outcome = new Outcome(name, action, attempt.protocol(), "ok", attempt.value().power(),
                    attempt.value().boot(), null, notes);
        } else {
            String error = dev.metal.util.Messages.forHost(name, attempt.error().getMessage() == null
                    ? attempt.error().getClass().getSimpleName() : attempt.error().getMessage());
            outcome = new Outcome(name, action, attempt.protocol(), "failed", null, null, error, notes);
        }
        log.info(name + ": " + action + " " + outcome.result() + (outcome.error() == null ? "" : ": " + outcome.error()));
        return changes ? journal(outcome) : outcome;
    }

    private Done power(BmcSession s, Bmcs.Contact contact, PowerAction action) {
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
        contact.sending();
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
                throw new BmcException("power still " + now.name().toLowerCase(Locale.ROOT) + " after "
                        + seconds(settings.confirmTimeout()) + " (wanted " + target.name().toLowerCase(Locale.ROOT) + ")");
            }
            sleep(settings.pollInterval());
        }
    }

    private Done boot(BmcSession s, Bmcs.Contact contact, BootOverride override) {
        contact.sending();
        s.setBootOverride(override);
        long deadline = System.nanoTime() + settings.confirmTimeout().toNanos();
        while (true) {
            BootOverride read = s.bootOverride();
            if (s.shows(override, read)) return new Done(null, read, List.of());
            if (System.nanoTime() > deadline) {
                throw new BmcException("boot override reads back as " + describe(read) + ", not "
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
            throw new SystemicException("interrupted");
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

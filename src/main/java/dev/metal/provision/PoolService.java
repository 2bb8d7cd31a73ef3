package dev.metal.provision;

import dev.metal.bmc.BmcConnector;
import dev.metal.bmc.BmcSession;
import dev.metal.bmc.PowerAction;
import dev.metal.bmc.PowerState;
import dev.metal.bmc.Protocol;
import dev.metal.model.BadInputException;
import dev.metal.model.Host;
import dev.metal.model.HostState;
import dev.metal.model.Parallel;
import dev.metal.model.Provisioning;
import dev.metal.state.JournalEntry;
import dev.metal.state.State;
import dev.metal.state.StateStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** The pool of ready hosts per profile: how it stands, what demand to expect, and keeping it warm. */
public final class PoolService {
    private PoolService() {}

    public record Status(String profile, int ready, int provisioning, int active, int quarantined, int target,
                         int missing) {}

    public static List<Status> status(State state) {
        TreeSet<String> profiles = new TreeSet<>(state.poolTargets().keySet());
        for (Host h : state.hosts().values()) if (h.profile() != null) profiles.add(h.profile());
        List<Status> out = new ArrayList<>();
        for (String profile : profiles) {
            int[] n = new int[HostState.values().length];
            for (Host h : state.hosts().values()) {
                if (profile.equals(h.profile())) n[h.state().ordinal()]++;
            }
            int target = state.poolTargets().getOrDefault(profile, 0);
            int ready = n[HostState.READY.ordinal()];
            out.add(new Status(profile, ready, n[HostState.PROVISIONING.ordinal()], n[HostState.ACTIVE.ordinal()],
                    n[HostState.QUARANTINED.ordinal()], target, Math.max(0, target - ready)));
        }
        return out;
    }

    /**
     * @param history hosts asked for in each period, oldest first (the last one is the current period)
     * @param forecast the smoothed demand: the hosts expected to be asked for next period
     */
    public record Forecast(String profile, Instant since, List<Integer> history, double forecast, int needed,
                           int ready, int target) {}

    /**
     * Simple exponential smoothing of the hosts asked for per period (first attempts of
     * 'provision-claimed' in the journal; retries are not demand): s = a*x + (1-a)*s.
     */
    public static List<Forecast> forecast(State state, List<JournalEntry> journal, double alpha, Duration period,
                                          Instant now) {
        if (!(alpha > 0 && alpha <= 1)) throw new IllegalArgumentException("smoothing factor must be in (0, 1]");
        long periodMs = period.toMillis();
        Map<String, TreeMap<Long, Integer>> demand = new TreeMap<>();
        for (JournalEntry e : journal) {
            if (!"provision-claimed".equals(e.event()) || e.detail() == null) continue;
            Object profile = e.detail().get("profile");
            Object attempt = e.detail().get("attempt");
            if (profile == null || !(attempt instanceof Number a) || a.intValue() != 1) continue;
            long bucket = Math.floorDiv(e.time().toEpochMilli(), periodMs);
            demand.computeIfAbsent(profile.toString(), p -> new TreeMap<>()).merge(bucket, 1, Integer::sum);
        }
        Map<String, Status> pools = new TreeMap<>();
        for (Status s : status(state)) pools.put(s.profile(), s);
        TreeSet<String> profiles = new TreeSet<>(pools.keySet());
        profiles.addAll(demand.keySet());
        long current = Math.floorDiv(now.toEpochMilli(), periodMs);
        List<Forecast> out = new ArrayList<>();
        for (String profile : profiles) {
            TreeMap<Long, Integer> d = demand.getOrDefault(profile, new TreeMap<>());
            Status pool = pools.get(profile);
            int ready = pool == null ? 0 : pool.ready();
            int target = pool == null ? 0 : pool.target();
            if (d.isEmpty()) {
                out.add(new Forecast(profile, null, List.of(), 0, 0, ready, target));
                continue;
            }
            long first = d.firstKey();
            List<Integer> history = new ArrayList<>();
            double s = 0;
            for (long b = first; b <= Math.max(current, d.lastKey()); b++) {
                int x = d.getOrDefault(b, 0);
                history.add(x);
                s = b == first ? x : alpha * x + (1 - alpha) * s;
            }
            double rounded = Math.round(s * 100) / 100.0;
            out.add(new Forecast(profile, Instant.ofEpochMilli(first * periodMs), history, rounded,
                    (int) Math.ceil(s - 1e-9), ready, target));
        }
        return out;
    }

    public record Warmed(String host, String profile, String result, String reason) {}

    /**
     * Powers on ready hosts of each profile with a target, up to the target, and checks
     * that the BMC answers and reads the power back on. A host that fails is quarantined,
     * so that provisioning never picks it.
     */
    public static List<Warmed> warm(StateStore store, BmcConnector connector, Protocol protocol) {
        State state = store.load();
        List<Host> hosts = new ArrayList<>();
        for (Map.Entry<String, Integer> t : state.poolTargets().entrySet()) {
            state.hosts().values().stream()
                    .filter(h -> Placement.eligible(h, t.getKey()))
                    .sorted(Comparator.comparing(Host::hostname))
                    .limit(t.getValue())
                    .forEach(hosts::add);
        }
        return Parallel.map(hosts, 16, "pool-warm", h -> warmOne(store, connector, protocol, h));
    }

    private static Warmed warmOne(StateStore store, BmcConnector connector, Protocol protocol, Host h) {
        String profile = h.profile();
        String problem;
        try (BmcSession bmc = connector.open(h, protocol)) {
            PowerState before = bmc.powerState();
            if (before == PowerState.ON) return new Warmed(h.hostname(), profile, "already on", null);
            bmc.power(PowerAction.ON);
            PowerState after = PowerState.UNKNOWN;
            for (int i = 0; i < 20 && after != PowerState.ON; i++) {
                after = bmc.powerState();
                if (after != PowerState.ON) Thread.sleep(100);
            }
            if (after == PowerState.ON) return new Warmed(h.hostname(), profile, "powered on", null);
            problem = "power reads " + after + " after power on";
        } catch (RuntimeException e) {
            problem = "BMC: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Warmed(h.hostname(), profile, "interrupted", null);
        }
        String reason = "pool warm: " + problem;
        boolean quarantined = store.update(tx -> {
            Host now = tx.host(h.hostname());
            if (now == null || now.state() != HostState.READY) return false; // taken meanwhile: leave it
            tx.put(now.moveTo(HostState.QUARANTINED, reason, tx.now()), "quarantined", Map.of("reason", reason));
            return true;
        });
        return new Warmed(h.hostname(), profile, quarantined ? "quarantined" : "failed", problem);
    }

    /** Takes a host out of use: nothing provisions it until {@link #release}; its boot token stops working. */
    public static Host quarantine(StateStore store, String hostname, String reason) {
        return store.update(tx -> {
            Host host = tx.host(hostname);
            if (host == null) throw new BadInputException("unknown host " + hostname);
            if (!host.state().canMoveTo(HostState.QUARANTINED)) {
                throw new BadInputException(hostname + " is already " + host.state());
            }
            Host q = withoutToken(host.moveTo(HostState.QUARANTINED, reason, tx.now()));
            tx.put(q, "quarantined", Map.of("reason", reason, "from", host.state().label()));
            return q;
        });
    }

    /**
     * Puts a quarantined (or active) host back in use, in the furthest state its data
     * supports: ready when it matched a profile, else inventoried, discovered or imported.
     */
    public static Host release(StateStore store, String hostname, String reason) {
        return store.update(tx -> {
            Host host = tx.host(hostname);
            if (host == null) throw new BadInputException("unknown host " + hostname);
            if (host.state() != HostState.QUARANTINED && host.state() != HostState.ACTIVE) {
                throw new BadInputException(hostname + " is " + host.state() + "; only quarantined or active hosts are released");
            }
            HostState target = host.profile() != null ? HostState.READY
                    : host.inventory() != null ? HostState.INVENTORIED
                    : host.bmc() != null && host.bmc().address() != null ? HostState.DISCOVERED
                    : HostState.IMPORTED;
            if (!host.state().canMoveTo(target)) {
                throw new BadInputException(hostname + " is " + host.state() + " and cannot go to " + target);
            }
            Host r = withoutToken(host.moveTo(target, reason, tx.now()));
            tx.put(r, "released", Map.of("reason", reason, "to", target.label()));
            return r;
        });
    }

    /** Ends a provisioning in progress: its boot token stops working. */
    private static Host withoutToken(Host h) {
        Provisioning p = h.provisioning();
        if (p == null || p.token() == null) return h;
        return h.withProvisioning(p.withToken(null));
    }
}

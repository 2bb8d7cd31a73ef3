package dev.metal.provision;

import dev.metal.bmc.Bmcs;
import dev.metal.bmc.PowerAction;
import dev.metal.bmc.PowerState;
import dev.metal.bmc.Protocol;
import dev.metal.model.BadInputException;
import dev.metal.model.ConflictException;
import dev.metal.model.Host;
import dev.metal.model.HostState;
import dev.metal.model.NotFoundException;
import dev.metal.model.Provisioning;
import dev.metal.model.Site;
import dev.metal.state.HostQuery;
import dev.metal.state.JournalEntry;
import dev.metal.state.JournalQuery;
import dev.metal.state.Store;
import dev.metal.util.Parallel;
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
    private final Store store;

    public PoolService(Store store) {
        this.store = store;
    }

    public record Status(String profile, int ready, int provisioning, int active, int quarantined, int target,
                         int missing) {}

    public List<Status> status() {
        return status(store.hosts(HostQuery.all()), store.poolTargets());
    }

    /** Sets how many ready hosts to keep for a profile; 0 removes the target. */
    public void target(String profile, int target) {
        if (target < 0) throw new BadInputException("pool target must not be negative: " + target);
        if (target > 0) {
            List<String> problems = Preflight.profile(profile, store.hosts(HostQuery.all()));
            if (!problems.isEmpty()) throw new NotFoundException(problems.get(0));
        }
        store.update(tx -> {
            tx.putPoolTarget(profile, target, "pool-target", Map.of("profile", profile, "target", target));
            return null;
        });
    }

    /** The forecast from the journal's provisions up to {@code now}. */
    public List<Forecast> forecast(double alpha, Duration period, Instant now) {
        if (!(alpha > 0 && alpha <= 1)) throw new BadInputException("--alpha must be in (0, 1], not " + alpha);
        return forecast(store, store.journal(JournalQuery.all().ofEvents("provision-claimed", "provisioned")), alpha, period, now);
    }

    static List<Status> status(List<Host> hosts, Map<String, Integer> poolTargets) {
        TreeSet<String> profiles = new TreeSet<>(poolTargets.keySet());
        for (Host h : hosts) if (h.profile() != null) profiles.add(h.profile());
        List<Status> out = new ArrayList<>();
        for (String profile : profiles) {
            int[] n = new int[HostState.values().length];
            for (Host h : hosts) {
                if (profile.equals(h.profile())) n[h.state().ordinal()]++;
            }
            int target = poolTargets.getOrDefault(profile, 0);
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
     * Simple exponential smoothing of the hosts provisioned per period: s = a*x + (1-a)*s.
     * Only completed provisions count ('provisioned' in the journal), in the period they
     * were asked for (their 'provision-claimed'): a run that failed, was refused or was
     * interrupted is not demand, nor is a retry on another host.
     */
    public static List<Forecast> forecast(Store store, List<JournalEntry> journal, double alpha, Duration period,
                                          Instant now) {
        if (!(alpha > 0 && alpha <= 1)) throw new IllegalArgumentException("smoothing factor must be in (0, 1]");
        long periodMs = period.toMillis();
        Map<String, TreeMap<Long, Integer>> demand = new TreeMap<>();
        Map<String, JournalEntry> claims = new java.util.HashMap<>();
        for (JournalEntry e : journal) {
            if (e.detail() == null) continue;
            String key = e.host() + " " + e.detail().get("request");
            if ("provision-claimed".equals(e.event())) {
                claims.put(key, e);
                continue;
            }
            JournalEntry claim = "provisioned".equals(e.event()) ? claims.remove(key) : null;
            Object profile = claim == null ? null : claim.detail().get("profile");
            if (profile == null) continue;
            long bucket = Math.floorDiv(claim.time().toEpochMilli(), periodMs);
            demand.computeIfAbsent(profile.toString(), p -> new TreeMap<>()).merge(bucket, 1, Integer::sum);
        }
        Map<String, Status> pools = new TreeMap<>();
        for (Status s : new PoolService(store).status()) pools.put(s.profile(), s);
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
    public List<Warmed> warm(Bmcs bmcs, Protocol protocol) {
        List<Host> all = store.hosts(HostQuery.all());
        List<Host> hosts = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Integer> t : store.poolTargets().entrySet()) {
            problems.addAll(Preflight.profile(t.getKey(), all));
            all.stream()
                    .filter(h -> Placement.eligible(h, t.getKey()))
                    .sorted(Comparator.comparing(Host::hostname))
                    .limit(t.getValue())
                    .forEach(hosts::add);
        }
        // The hosts warmed are the next to be provisioned: what would stop that stops the warm-up,
        // before any BMC is asked.
        Site site = store.site();
        if (site == null) problems.addAll(Preflight.os(null, null));
        else problems.addAll(Preflight.hosts(hosts, site));
        if (!problems.isEmpty()) throw new BadInputException(problems);
        Bmcs.requireCredentials(hosts);
        return Parallel.map(hosts, 16, "pool-warm", h -> warmOne(bmcs, protocol, h));
    }

    /** What powering a host on gave: a result, or the problem that gets it quarantined. */
    private record Warming(String result, String problem) {}

    private Warmed warmOne(Bmcs bmcs, Protocol protocol, Host h) {
        String profile = h.profile();
        Bmcs.Attempt<Warming> attempt = bmcs.control(h, protocol, (bmc, contact) -> {
            PowerState before = bmc.powerState();
            if (before == PowerState.ON) return new Warming("already on", null);
            contact.sending();
            bmc.power(PowerAction.ON);
            PowerState after = PowerState.UNKNOWN;
            for (int i = 0; i < 20 && after != PowerState.ON; i++) {
                after = bmc.powerState();
                if (after != PowerState.ON && !pause()) return new Warming("interrupted", null);
            }
            if (after == PowerState.ON) return new Warming("powered on", null);
            return new Warming(null, "power reads " + after + " after power on");
        });
        String problem = attempt.ok() ? attempt.value().problem() : "BMC: " + attempt.describeFailures(h.hostname());
        if (problem == null) return new Warmed(h.hostname(), profile, attempt.value().result(), null);
        String reason = "pool warm: " + problem;
        boolean quarantined = store.update(tx -> {
            Host now = tx.host(h.hostname());
            if (now == null || now.state() != HostState.READY) return false; // taken meanwhile: leave it
            tx.put(now.moveTo(HostState.QUARANTINED, reason, tx.now()), "quarantined", Map.of("reason", reason));
            return true;
        });
        return new Warmed(h.hostname(), profile, quarantined ? "quarantined" : "failed", problem);
    }

    /** A pause between two reads of the power; false when the run is interrupted. */
    private static boolean pause() {
        try {
            Thread.sleep(100);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Takes a host out of use: nothing provisions it until {@link #release}; its boot token stops working. */
    public Host quarantine(String hostname, String reason) {
        return store.update(tx -> {
            Host host = tx.host(hostname);
            if (host == null) throw new NotFoundException("unknown host " + hostname);
            if (!host.state().canMoveTo(HostState.QUARANTINED)) {
                throw new ConflictException(hostname + " is already " + host.state());
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
    public Host release(String hostname, String reason) {
        Host before = store.host(hostname);
        if (before == null) throw new NotFoundException("unknown host " + hostname);
        if (before.state() == HostState.PROVISIONING) return releaseLeftProvisioning(before, reason);
        return store.update(tx -> {
            Host host = tx.host(hostname);
            if (host == null) throw new NotFoundException("unknown host " + hostname);
            if (host.state() != HostState.QUARANTINED && host.state() != HostState.ACTIVE) {
                throw new ConflictException(hostname + " is " + host.state()
                        + "; only quarantined, active or left provisioning hosts are released");
            }
            HostState target = host.profile() != null ? HostState.READY
                    : host.inventory() != null ? HostState.INVENTORIED
                    : host.bmc() != null && host.bmc().address() != null ? HostState.DISCOVERED
                    : HostState.IMPORTED;
            if (!host.state().canMoveTo(target)) {
                throw new ConflictException(hostname + " is " + host.state() + " and cannot go to " + target);
            }
            Host r = withoutToken(host.moveTo(target, reason, tx.now()));
            tx.put(r, "released", Map.of("reason", reason, "to", target.label()));
            return r;
        });
    }

    /**
     * A host an interrupted run left provisioning goes back to ready; one whose run is still
     * going (its request lock is held) is refused.
     */
    private Host releaseLeftProvisioning(Host host, String reason) {
        Provisioning p = host.provisioning();
        String request = p == null ? null : p.requestId();
        Store.RequestLock lock = request == null ? null : store.lockRequest(request);
        if (request != null && lock == null) {
            throw new ConflictException(host.hostname() + " is provisioning in a run that is still going (request "
                    + request + "); wait for it, or stop it and run 'metal provision --resume'");
        }
        try {
            return store.update(tx -> {
                Host h = tx.host(host.hostname());
                if (h == null) throw new NotFoundException("unknown host " + host.hostname());
                if (h.state() != HostState.PROVISIONING || h.provisioning() == null
                        || !java.util.Objects.equals(request, h.provisioning().requestId())) {
                    throw new ConflictException(host.hostname() + " is " + h.state() + " now; try again");
                }
                Host r = withoutToken(h.moveTo(HostState.READY, reason, tx.now()));
                Map<String, Object> detail = new java.util.LinkedHashMap<>();
                detail.put("reason", reason);
                detail.put("to", HostState.READY.label());
                if (request != null) detail.put("request", request);
                tx.put(r, "released", detail);
                return r;
            });
        } finally {
            if (lock != null) lock.close();
        }
    }

    /** Ends a provisioning in progress: its boot token stops working. */
    private static Host withoutToken(Host h) {
        Provisioning p = h.provisioning();
        if (p == null || p.token() == null) return h;
        return h.withProvisioning(p.withToken(null));
    }
}

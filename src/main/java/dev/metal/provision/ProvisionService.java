package dev.metal.provision;

import dev.metal.bmc.BmcConnector;
import dev.metal.bmc.BmcSession;
import dev.metal.bmc.BootDevice;
import dev.metal.bmc.BootOverride;
import dev.metal.bmc.PowerAction;
import dev.metal.bmc.PowerState;
import dev.metal.bmc.Protocol;
import dev.metal.model.BadInputException;
import dev.metal.model.Host;
import dev.metal.model.Parallel;
import dev.metal.model.HostState;
import dev.metal.model.Log;
import dev.metal.model.Provisioning;
import dev.metal.model.Secret;
import dev.metal.state.StateStore;
import dev.metal.state.Transaction;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The provisioning workflow. Hosts are claimed inside one state update (the store holds
 * an exclusive file lock there), so two runs on one state file never take the same host.
 * Then, per host and in parallel: boot PXE once, power cycle (or on), wait for the
 * phone-home the boot server records, set boot to disk, active. A host that fails is
 * quarantined with the reason and the slot moves to another ready host of its profile,
 * a bounded number of times. Swapping the {@link BmcConnector} is all it takes to run
 * against Redfish, IPMI or the lab.
 */
public final class ProvisionService {
    /** How to provision; {@code retries} is how many other hosts a slot may try after its first. */
    public record Options(String os, String sshKeys, Duration timeout, int retries, int maxPerRack, int parallel,
                          Protocol protocol) {}

    private static final SecureRandom RANDOM = new SecureRandom();

    private final StateStore store;
    private final BmcConnector connector;
    private final Options options;
    private final long startNanos;

    /** @param startNanos System.nanoTime() when the command started; the report's times count from it */
    public ProvisionService(StateStore store, BmcConnector connector, Options options, long startNanos) {
        this.store = store;
        this.connector = connector;
        this.options = options;
        this.startNanos = startNanos;
    }

    /** The hosts a request would take and why; changes nothing. */
    public List<Placement.Choice> plan(List<String> hostnames, String profile, int count) {
        var state = store.load();
        return choose(hostnames, profile, count, state::host, state.hosts().values());
    }

    /** The named hosts (each must be ready and placed), else {@code count} hosts of {@code profile}. */
    private List<Placement.Choice> choose(List<String> hostnames, String profile, int count,
                                          Function<String, Host> byName, Collection<Host> all) {
        if (hostnames.isEmpty()) {
            List<Placement.Choice> chosen = Placement.choose(all, profile, count, options.maxPerRack(), Map.of());
            if (chosen.size() < count) throw notEnough(profile, count, chosen.size());
            return chosen;
        }
        List<Placement.Choice> chosen = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (String name : hostnames) {
            Host h = byName.apply(name);
            String problem = problem(h, name);
            if (problem != null) problems.add(problem);
            else chosen.add(new Placement.Choice(name, Placement.rackOf(h), "named on the command line"));
        }
        if (!problems.isEmpty()) throw new BadInputException(problems);
        return chosen;
    }

    private BadInputException notEnough(String profile, int count, int found) {
        return new BadInputException("profile " + profile + ": only " + found + " ready host(s) fit, " + count
                + " asked for" + (options.maxPerRack() > 0 ? " (at most " + options.maxPerRack() + " per rack)" : "")
                + "; see 'metal pool status'");
    }

    private static String problem(Host h, String name) {
        if (h == null) return "unknown host " + name;
        if (h.state() != HostState.READY) return name + " is " + h.state() + ", not ready";
        if (!h.hasSiteAddresses()) return name + ": rack " + h.rack() + " has no addresses in the site plan ('metal site set')";
        return null;
    }

    /** Claims hosts (named, or {@code count} of {@code profile}) and provisions them. */
    public ProvisionReport provision(List<String> hostnames, String profile, int count, PhoneHomeHook hook) {
        String requestId = "p-" + HexFormat.of().formatHex(randomBytes());
        try (RequestLock lock = RequestLock.tryAcquire(store.file(), requestId)) {
            if (lock == null) throw new IllegalStateException("request " + requestId + " is already locked");
            List<Start> starts = store.update(tx -> {
                List<Placement.Choice> chosen = choose(hostnames, profile, count, tx::host, tx.hosts());
                List<Start> out = new ArrayList<>();
                int slot = 1;
                for (Placement.Choice c : chosen) {
                    claim(tx, tx.host(c.hostname()), requestId, 1, slot, c.reason());
                    out.add(new Start(slot++, c.hostname(), requestId, 1, null));
                }
                return out;
            });
            return run(starts, List.of(requestId), hook);
        }
    }

    /** Continues every request whose process is gone: the hosts it left provisioning. */
    public ProvisionReport resume(PhoneHomeHook hook) {
        Map<String, RequestLock> locks = new HashMap<>();
        try {
            List<Start> starts = store.update(tx -> {
                List<Start> out = new ArrayList<>();
                int slot = 1;
                for (Host h : tx.hosts()) {
                    Provisioning p = h.provisioning();
                    if (h.state() != HostState.PROVISIONING || p == null || p.requestId() == null) continue;
                    String id = p.requestId();
                    if (!locks.containsKey(id)) {
                        RequestLock lock = RequestLock.tryAcquire(store.file(), id);
                        if (lock == null) continue; // a live process runs it
                        locks.put(id, lock);
                    }
                    tx.journal(h.hostname(), "provision-resumed", Map.of("request", id, "attempt", p.attempt()));
                    out.add(new Start(slot++, h.hostname(), id, p.attempt(), p.phonedHomeAt()));
                }
                return out;
            });
            return run(starts, List.copyOf(locks.keySet()), hook);
        } finally {
            locks.values().forEach(RequestLock::close);
        }
    }

    /** Lets an in-process boot server shorten the wait for a phone-home. */
    public interface PhoneHomeHook {
        void subscribe(Runnable onPhoneHome);
    }

    /** Where a slot starts: its first host, the request it belongs to, and what is already done. */
    private record Start(int slot, String hostname, String requestId, int attempt, Instant phonedHomeAt) {}

    private ProvisionReport run(List<Start> starts, List<String> requests, PhoneHomeHook hook) {
        if (starts.isEmpty()) return new ProvisionReport(requests, List.of(), false, List.of());
        try (PhoneHomeWatch watch = new PhoneHomeWatch(store)) {
            if (hook != null) hook.subscribe(watch::wake);
            try {
                List<ProvisionReport.Slot> slots = Parallel.map(starts, options.parallel(), "metal-provision",
                        s -> runSlot(s, watch));
                return new ProvisionReport(requests, slots, false, List.of());
            } catch (Parallel.Interrupted e) {
                throw new IllegalStateException("interrupted; continue with 'metal provision --resume'");
            }
        }
    }

    /** A step failed; the host is quarantined with {@code reason}. */
    private static final class Failure extends Exception {
        Failure(String reason) {
            super(reason);
        }
    }

    private record Timing(Long bootMs, Long powerMs, Long phoneHomeMs) {}

    private ProvisionReport.Slot runSlot(Start start, PhoneHomeWatch watch) {
        List<ProvisionReport.Attempt> attempts = new ArrayList<>();
        String hostname = start.hostname();
        int attempt = start.attempt();
        Instant phonedHome = start.phonedHomeAt();
        int lastAttempt = start.attempt() + options.retries();
        Timing timing = new Timing(null, null, null);
        while (true) {
            Host host = store.load().host(hostname);
            String rack = host == null ? null : Placement.rackOf(host);
            try {
                timing = provisionHost(host, start.requestId(), phonedHome, watch);
                finish(hostname, start.requestId(), attempt, timing);
                attempts.add(new ProvisionReport.Attempt(hostname, rack, "active", null));
                return new ProvisionReport.Slot(start.slot(), hostname, "active", attempts,
                        timing.bootMs(), timing.powerMs(), timing.phoneHomeMs(), sinceStart());
            } catch (Failure f) {
                Log.warn(hostname + ": " + f.getMessage() + "; quarantined");
                boolean quarantined = quarantine(hostname, start.requestId(), f.getMessage());
                attempts.add(new ProvisionReport.Attempt(hostname, rack, quarantined ? "quarantined" : "left",
                        f.getMessage()));
            }
            String profile = host == null ? null : host.profile();
            if (attempt >= lastAttempt || profile == null) break;
            String next = claimReplacement(start.requestId(), profile, attempt + 1, start.slot(), hostname);
            if (next == null) {
                attempts.add(new ProvisionReport.Attempt(null, null, "no retry", "no ready host of " + profile + " left"));
                break;
            }
            Log.info("slot " + start.slot() + ": retrying on " + next);
            hostname = next;
            attempt++;
            phonedHome = null;
        }
        return new ProvisionReport.Slot(start.slot(), hostname, "failed", attempts,
                timing.bootMs(), timing.powerMs(), timing.phoneHomeMs(), null);
    }

    /** BMC steps, the wait and the boot-to-disk for one host. */
    private Timing provisionHost(Host host, String requestId, Instant phonedHome, PhoneHomeWatch watch)
            throws Failure {
        if (host == null) throw new Failure("removed from the state");
        Long bootMs = null;
        Long powerMs = null;
        if (phonedHome == null) {
            var waiting = watch.watch(host.hostname(), requestId);
            try (BmcSession bmc = connector.open(host, options.protocol())) {
                bmc.setBootOverride(new BootOverride(BootDevice.PXE, false, true));
                bootMs = sinceStart();
                PowerState power = bmc.powerState();
                bmc.power(power == PowerState.ON ? PowerAction.CYCLE : PowerAction.ON);
                powerMs = sinceStart();
                Log.info(host.hostname() + ": PXE once, power " + (power == PowerState.ON ? "cycle" : "on")
                        + " sent at " + powerMs + " ms");
            } catch (RuntimeException e) {
                waiting.cancel(false);
                throw new Failure("BMC: " + e.getMessage());
            }
            try {
                phonedHome = waiting.get(options.timeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                waiting.cancel(false);
                throw new Failure("no phone-home within " + human(options.timeout()));
            } catch (ExecutionException e) {
                throw new Failure(e.getCause().getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Failure("interrupted");
            }
        }
        Long phoneHomeMs = sinceStart();
        try (BmcSession bmc = connector.open(host, options.protocol())) {
            bmc.setBootOverride(new BootOverride(BootDevice.DISK, true, true));
        } catch (RuntimeException e) {
            throw new Failure("installed, but setting boot to disk failed: BMC: " + e.getMessage());
        }
        return new Timing(bootMs, powerMs, phoneHomeMs);
    }

    private void claim(Transaction tx, Host h, String requestId, int attempt, int slot, String reason) {
        Provisioning p = new Provisioning(requestId, options.os(), Secret.randomToken(), tx.now(), null,
                attempt, options.sshKeys());
        Host claimed = h.moveTo(HostState.PROVISIONING, "provision " + requestId, tx.now()).withProvisioning(p);
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("request", requestId);
        detail.put("profile", h.profile());
        detail.put("os", options.os());
        detail.put("slot", slot);
        detail.put("attempt", attempt);
        detail.put("reason", reason);
        tx.put(claimed, "provision-claimed", detail);
    }

    private String claimReplacement(String requestId, String profile, int attempt, int slot, String failed) {
        return store.update(tx -> {
            Map<String, Integer> load = new HashMap<>();
            for (Host h : tx.hosts()) {
                Provisioning p = h.provisioning();
                boolean ours = p != null && requestId.equals(p.requestId())
                        && (h.state() == HostState.PROVISIONING || h.state() == HostState.ACTIVE);
                if (ours) load.merge(Placement.rackOf(h), 1, Integer::sum);
            }
            List<Placement.Choice> c = Placement.choose(tx.hosts(), profile, 1, options.maxPerRack(), load);
            if (c.isEmpty()) return null;
            claim(tx, tx.host(c.get(0).hostname()), requestId, attempt, slot,
                    "retry after " + failed + "; " + c.get(0).reason());
            return c.get(0).hostname();
        });
    }

    /** Active, and the token is gone: it was valid for this provisioning only. */
    private void finish(String hostname, String requestId, int attempt, Timing t) throws Failure {
        boolean done = store.update(tx -> {
            Host h = tx.host(hostname);
            if (!ours(h, requestId)) return false;
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("request", requestId);
            detail.put("attempt", attempt);
            detail.put("bootCommandMs", t.bootMs());
            detail.put("powerCommandMs", t.powerMs());
            detail.put("phoneHomeMs", t.phoneHomeMs());
            tx.put(h.moveTo(HostState.ACTIVE, "provisioned with " + h.provisioning().os(), tx.now())
                    .withProvisioning(h.provisioning().withToken(null)), "provisioned", detail);
            return true;
        });
        if (!done) throw new Failure("left provisioning before it ended (changed by hand?)");
    }

    private boolean quarantine(String hostname, String requestId, String reason) {
        return store.update(tx -> {
            Host h = tx.host(hostname);
            if (!ours(h, requestId)) return false;
            tx.put(h.moveTo(HostState.QUARANTINED, reason, tx.now())
                    .withProvisioning(h.provisioning().withToken(null)),
                    "provision-failed", Map.of("request", requestId, "reason", reason));
            return true;
        });
    }

    private static boolean ours(Host h, String requestId) {
        return h != null && h.state() == HostState.PROVISIONING && h.provisioning() != null
                && requestId.equals(h.provisioning().requestId());
    }

    private long sinceStart() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[4];
        RANDOM.nextBytes(b);
        return b;
    }

    static String human(Duration d) {
        long ms = d.toMillis();
        if (ms % 60_000 == 0) return ms / 60_000 + "m";
        if (ms % 1000 == 0) return ms / 1000 + "s";
        return ms + "ms";
    }
}

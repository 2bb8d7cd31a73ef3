package dev.metal.provision;

import dev.metal.bmc.Bmcs;
import dev.metal.bmc.BootDevice;
import dev.metal.bmc.BootOverride;
import dev.metal.bmc.PowerAction;
import dev.metal.bmc.PowerState;
import dev.metal.bmc.Protocol;
import dev.metal.bmc.ProviderOptions;
import dev.metal.boot.BootServer;
import dev.metal.model.BadInputException;
import dev.metal.model.ConflictException;
import dev.metal.model.Host;
import dev.metal.model.HostState;
import dev.metal.model.Provisioning;
import dev.metal.model.Secret;
import dev.metal.model.SystemicException;
import dev.metal.state.HostQuery;
import dev.metal.state.Store;
import dev.metal.state.Transaction;
import dev.metal.util.Log;
import dev.metal.util.Parallel;
import dev.metal.workflow.Services;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * The provisioning workflow. Hosts are claimed inside one state update (each claim takes
 * only hosts no other transaction holds), so two runs on one state never take the same
 * host. Then, per host and in parallel: boot PXE once, power cycle (or on), wait for the
 * phone-home the boot server records, set boot to disk, active. A host that fails is
 * quarantined with the reason and the slot moves to another ready host of its profile,
 * a bounded number of times. The BMC providers of {@link Services} decide whether that is
 * Redfish, IPMI or the lab.
 */
public final class ProvisionService {
    /**
     * How to provision; {@code retries} is how many other hosts a slot may try after its first.
     * {@code sshKey}: a file of authorized keys for the installed system, or null.
     */
    public record Options(String os, Path sshKey, Duration timeout, int retries, int maxPerRack, int parallel,
                          Protocol protocol) {}

    /** What to provision: the hosts named, or {@code count} hosts of {@code profile}; or what a run left (resume). */
    public record Request(List<String> hosts, String profile, int count, boolean dryRun, boolean resume) {}

    /** Where the in-process boot server listens and the folder it serves under /files/. */
    public record Serving(InetSocketAddress listen, Path files) {}

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Services services;
    private final Store store;
    private final Options options;
    private final Log log;
    private final long startNanos;
    private Bmcs bmcs;
    private String sshKeys;

    /** @param startNanos System.nanoTime() when the command started; the report's times count from it */
    public ProvisionService(Services services, Store store, Options options, Log log, long startNanos) {
        this.services = services;
        this.store = store;
        this.options = options;
        this.log = log;
        this.startNanos = startNanos;
    }

    /**
     * Runs a request: a dry run shows the hosts it would take and why; otherwise the hosts are
     * claimed and provisioned, served by an in-process boot server unless {@code serving} is
     * null (a 'metal serve' elsewhere serves them).
     */
    public ProvisionReport run(Request request, Serving serving) {
        validate(request);
        sshKeys = readKeys();
        if (request.dryRun()) {
            return new ProvisionReport(List.of(), List.of(), true,
                    choose(request.hosts(), request.profile(), request.count(), store::host, store.hosts(HostQuery.all())));
        }
        bmcs = services.bmcs(store, ProviderOptions.defaults(log, services.clock()), false, Duration.ZERO);
        try (PhoneHomeWatch watch = new PhoneHomeWatch(store, log);
             BootServer ignored = serving == null ? null : services.startBootServer(store, serving.files(),
                     serving.listen(), null, 16, log, hostname -> watch.wake())) {
            return request.resume() ? resume(watch)
                    : provision(request.hosts(), request.profile(), request.count(), watch);
        }
    }

    private void validate(Request r) {
        List<String> problems = new ArrayList<>();
        if (r.resume()) {
            if (!r.hosts().isEmpty() || r.profile() != null || r.dryRun()) {
                problems.add("--resume takes no hosts, --profile or --dry-run");
            }
        } else {
            if (r.hosts().isEmpty() == (r.profile() == null)) problems.add("name hosts or give --profile P --count N (one of them)");
            if (options.os() == null) problems.add("--os NAME is required");
            if (r.count() < 1) problems.add("--count must be at least 1");
        }
        if (options.retries() < 0) problems.add("--retries must not be negative");
        if (options.maxPerRack() < 0) problems.add("--max-per-rack must not be negative");
        if (options.parallel() < 1) problems.add("--parallel must be at least 1");
        if (!problems.isEmpty()) throw new BadInputException(problems);
    }

    private String readKeys() {
        if (options.sshKey() == null) return null;
        try {
            return Files.readString(options.sshKey(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new BadInputException("cannot read --ssh-key " + options.sshKey() + ": " + e.getMessage());
        }
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

    private ConflictException notEnough(String profile, int count, int found) {
        return new ConflictException("profile " + profile + ": only " + found + " ready host(s) fit, " + count
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
    private ProvisionReport provision(List<String> hostnames, String profile, int count, PhoneHomeWatch watch) {
        String requestId = "p-" + HexFormat.of().formatHex(randomBytes());
        try (Store.RequestLock lock = store.lockRequest(requestId)) {
            if (lock == null) throw new SystemicException("request " + requestId + " is already locked");
            List<Start> starts = store.update(tx -> {
                List<Placement.Choice> chosen = choose(hostnames, profile, count, tx::host,
                        hostnames.isEmpty() ? tx.hosts(HostQuery.all().ofProfile(profile).skippingLocked()) : List.of());
                List<Host> claimed = new ArrayList<>();
                for (Placement.Choice c : chosen) claimed.add(tx.host(c.hostname()));
                Bmcs.requireCredentials(claimed);
                List<Start> out = new ArrayList<>();
                int slot = 1;
                for (Placement.Choice c : chosen) {
                    claim(tx, tx.host(c.hostname()), requestId, 1, slot, c.reason());
                    out.add(new Start(slot++, c.hostname(), requestId, 1, null));
                }
                return out;
            });
            return run(starts, List.of(requestId), watch);
        }
    }

    /** Continues every request whose process is gone: the hosts it left provisioning. */
    private ProvisionReport resume(PhoneHomeWatch watch) {
        Map<String, Store.RequestLock> locks = new HashMap<>();
        try {
            List<Start> starts = store.update(tx -> {
                List<Start> out = new ArrayList<>();
                int slot = 1;
                for (Host h : tx.hosts(HostQuery.all().inStates(HostState.PROVISIONING))) {
                    Provisioning p = h.provisioning();
                    if (h.state() != HostState.PROVISIONING || p == null || p.requestId() == null) continue;
                    String id = p.requestId();
                    if (!locks.containsKey(id)) {
                        Store.RequestLock lock = store.lockRequest(id);
                        if (lock == null) continue; // a live process runs it
                        locks.put(id, lock);
                    }
                    tx.journal(h.hostname(), "provision-resumed", Map.of("request", id, "attempt", p.attempt()));
                    out.add(new Start(slot++, h.hostname(), id, p.attempt(), p.phonedHomeAt()));
                }
                return out;
            });
            return run(starts, List.copyOf(locks.keySet()), watch);
        } finally {
            locks.values().forEach(Store.RequestLock::close);
        }
    }

    /** Where a slot starts: its first host, the request it belongs to, and what is already done. */
    private record Start(int slot, String hostname, String requestId, int attempt, Instant phonedHomeAt) {}

    private ProvisionReport run(List<Start> starts, List<String> requests, PhoneHomeWatch watch) {
        if (starts.isEmpty()) return new ProvisionReport(requests, List.of(), false, List.of());
        try {
            List<ProvisionReport.Slot> slots = Parallel.map(starts, options.parallel(), "metal-provision",
                    s -> runSlot(s, watch));
            return new ProvisionReport(requests, slots, false, List.of());
        } catch (Parallel.Interrupted e) {
            throw new SystemicException("interrupted; continue with 'metal provision --resume'");
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
            Host host = store.host(hostname);
            String rack = host == null ? null : Placement.rackOf(host);
            try {
                timing = provisionHost(host, start.requestId(), phonedHome, watch);
                finish(hostname, start.requestId(), attempt, timing);
                attempts.add(new ProvisionReport.Attempt(hostname, rack, "active", null));
                return new ProvisionReport.Slot(start.slot(), hostname, "active", attempts,
                        timing.bootMs(), timing.powerMs(), timing.phoneHomeMs(), sinceStart());
            } catch (Failure f) {
                log.warn(hostname + ": " + f.getMessage() + "; quarantined");
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
            log.info("slot " + start.slot() + ": retrying on " + next);
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
            Bmcs.Attempt<long[]> pxe = bmcs.control(host, options.protocol(), (bmc, contact) -> {
                contact.sending();
                bmc.setBootOverride(new BootOverride(BootDevice.PXE, false, true));
                long boot = sinceStart();
                PowerState power = bmc.powerState();
                bmc.power(power == PowerState.ON ? PowerAction.CYCLE : PowerAction.ON);
                long powered = sinceStart();
                log.info(host.hostname() + ": PXE once, power " + (power == PowerState.ON ? "cycle" : "on")
                        + " sent at " + powered + " ms");
                return new long[] {boot, powered};
            });
            if (!pxe.ok()) {
                waiting.cancel(false);
                throw new Failure("BMC: " + pxe.describeFailures(host.hostname()));
            }
            bootMs = pxe.value()[0];
            powerMs = pxe.value()[1];
            try {
                phonedHome = waiting.get(options.timeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                waiting.cancel(false);
                throw new Failure("no phone-home within " + human(options.timeout()) + "; " + lastStage(host.hostname()));
            } catch (ExecutionException e) {
                throw new Failure(e.getCause().getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Failure("interrupted");
            }
        }
        Long phoneHomeMs = sinceStart();
        Bmcs.Attempt<Void> disk = bmcs.control(host, options.protocol(), (bmc, contact) -> {
            contact.sending();
            bmc.setBootOverride(new BootOverride(BootDevice.DISK, true, true));
            return null;
        });
        if (!disk.ok()) {
            throw new Failure("installed, but setting boot to disk failed: BMC: " + disk.describeFailures(host.hostname()));
        }
        return new Timing(bootMs, powerMs, phoneHomeMs);
    }

    /** Where a machine that never phoned home stopped, from the stage the boot server recorded. */
    private String lastStage(String hostname) {
        Host h = store.host(hostname);
        String stage = h == null || h.provisioning() == null ? null : h.provisioning().stage();
        if (stage == null) return "it never asked for its iPXE script (no DHCP, or no network boot)";
        if (stage.equals("script")) return "last stage: iPXE script served, nothing reported after it";
        return "last stage: " + stage;
    }

    private void claim(Transaction tx, Host h, String requestId, int attempt, int slot, String reason) {
        Provisioning p = new Provisioning(requestId, options.os(), Secret.randomToken(), tx.now(), null,
                attempt, sshKeys);
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
            for (Host h : tx.hosts(HostQuery.all().ofRequest(requestId))) {
                Provisioning p = h.provisioning();
                boolean ours = p != null && requestId.equals(p.requestId())
                        && (h.state() == HostState.PROVISIONING || h.state() == HostState.ACTIVE);
                if (ours) load.merge(Placement.rackOf(h), 1, Integer::sum);
            }
            List<Placement.Choice> c = Placement.choose(tx.hosts(HostQuery.all().ofProfile(profile).skippingLocked()), profile, 1, options.maxPerRack(), load);
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

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
import dev.metal.model.Site;
import dev.metal.model.SystemicException;
import dev.metal.state.HostQuery;
import dev.metal.state.JournalQuery;
import dev.metal.state.Store;
import dev.metal.state.Transaction;
import dev.metal.util.Log;
import dev.metal.util.Parallel;
import dev.metal.util.Progress;
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
     * {@code sshKey}: a file of authorized keys for the installed system, or null; without it
     * (and without keys in the site plan) a run is refused unless {@code noSshKeys}.
     * {@code maxQuarantine}: the most hosts one run quarantines, or null for the default (2, or
     * a tenth of the profile's hosts when that is more). {@code keepPower}: quarantined hosts
     * stay powered on instead of being powered off.
     */
    public record Options(String os, Path sshKey, Duration timeout, int retries, int maxPerRack, int parallel,
                          Protocol protocol, boolean noSshKeys, Integer maxQuarantine, boolean keepPower) {
        public Options(String os, Path sshKey, Duration timeout, int retries, int maxPerRack, int parallel,
                       Protocol protocol) {
            this(os, sshKey, timeout, retries, maxPerRack, parallel, protocol, false, null, false);
        }
    }

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
    private Progress progress = Progress.NONE;

    /** @param startNanos System.nanoTime() when the command started; the report's times count from it */
    public ProvisionService(Services services, Store store, Options options, Log log, long startNanos) {
        this.services = services;
        this.store = store;
        this.options = options;
        this.log = log;
        this.startNanos = startNanos;
    }

    /** Tells {@code value} of each host's steps as the run goes. */
    public ProvisionService progress(Progress value) {
        this.progress = value == null ? Progress.NONE : value;
        return this;
    }

    /**
     * Runs a request: a dry run shows the hosts it would take and why; otherwise the hosts are
     * claimed and provisioned, served by an in-process boot server unless {@code serving} is
     * null (a 'metal serve' elsewhere serves them).
     */
    public ProvisionReport run(Request request, Serving serving) {
        validate(request);
        sshKeys = readKeys();
        List<Placement.Choice> plan = request.resume() ? List.of() : preflight(request, serving);
        if (request.dryRun()) return new ProvisionReport(List.of(), List.of(), true, plan);
        bmcs = services.bmcs(store, ProviderOptions.defaults(log, services.clock()), false, Duration.ZERO);
        try (PhoneHomeWatch watch = new PhoneHomeWatch(store, log);
             BootServer ignored = serving == null ? null : services.startBootServer(store, serving.files(),
                     serving.listen(), null, BootServer.Limits.DEFAULT, log, hostname -> watch.wake())) {
            if (serving != null && !request.resume()) {
                // Started now: it must answer where the site plan sends the machines.
                List<String> problems = Preflight.answering(store.site());
                if (!problems.isEmpty()) throw new BadInputException(problems);
            }
            return request.resume() ? resume(watch)
                    : provision(request.hosts(), request.profile(), request.count(), watch);
        }
    }

    /**
     * Everything that does not need the machines, before any host is claimed or any BMC is
     * asked: the OS, the profile, the hosts' racks, networks and NICs, the SSH keys, the boot
     * files, and where the boot server listens. Returns the hosts the run would take now.
     */
    private List<Placement.Choice> preflight(Request request, Serving serving) {
        Site site = store.site();
        List<Host> all = store.hosts(HostQuery.all());
        List<String> problems = new ArrayList<>(Preflight.os(site, options.os()));
        problems.addAll(Preflight.profile(request.profile(), all));
        if (!problems.isEmpty()) throw new BadInputException(problems);
        Map<String, Host> byName = new HashMap<>();
        for (Host h : all) byName.put(h.hostname(), h);
        List<Placement.Choice> plan;
        try {
            plan = choose(request.hosts(), request.profile(), request.count(), byName::get, all);
            List<Host> chosen = new ArrayList<>();
            for (Placement.Choice c : plan) chosen.add(byName.get(c.hostname()));
            problems.addAll(Preflight.hosts(chosen, site));
        } catch (ConflictException e) {
            throw e;
        } catch (BadInputException e) {
            plan = List.of();
            problems.addAll(e.problems());
        }
        problems.addAll(Preflight.sshKeys(site, sshKeys, options.noSshKeys()));
        problems.addAll(Preflight.bootFiles(site, options.os(), serving == null ? null : serving.files()));
        problems.addAll(serving == null ? Preflight.answering(site) : Preflight.listen(site, serving.listen()));
        if (!problems.isEmpty()) throw new BadInputException(problems);
        return plan;
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
            return requireManagementMacs(chosen, byName);
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
        return requireManagementMacs(chosen, byName);
    }

    /** A host boots from its management NIC: its MAC must be known (rack CSV, or scrape and match) before it is taken. */
    private List<Placement.Choice> requireManagementMacs(List<Placement.Choice> chosen, Function<String, Host> byName) {
        Site site = store.site();
        List<String> problems = new ArrayList<>();
        for (Placement.Choice c : chosen) {
            Host h = byName.apply(c.hostname());
            if (h != null && h.managementMac(site) == null) problems.add(h.unknownManagementMac(site));
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
            return interruptible(Map.of(requestId, lock), () -> {
                List<Start> starts = store.update(tx -> {
                    List<Host> free = hostnames.isEmpty()
                            ? tx.hosts(HostQuery.all().ofProfile(profile).skippingLocked()) : List.of();
                    List<Placement.Choice> chosen = choose(hostnames, profile, count, tx::host, free);
                    List<Host> claimed = new ArrayList<>();
                    for (Placement.Choice c : chosen) claimed.add(tx.host(c.hostname()));
                    Site site = tx.site();
                    List<String> problems = site == null ? Preflight.os(null, options.os())
                            : Preflight.hosts(claimed, site);
                    if (!problems.isEmpty()) throw new BadInputException(problems);
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
            });
        }
    }

    /** Continues every request whose process is gone: the hosts it left provisioning. */
    private ProvisionReport resume(PhoneHomeWatch watch) {
        Map<String, Store.RequestLock> locks = new java.util.concurrent.ConcurrentHashMap<>();
        try {
            return interruptible(locks, () -> {
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
            });
        } finally {
            locks.values().forEach(Store.RequestLock::close);
        }
    }

    /**
     * Runs {@code work} so that Ctrl-C (SIGINT) or SIGTERM leaves what a later run can take
     * up: the hosts stay provisioning for '--resume' (or 'host release'), the request locks
     * and their files go, and the user is told so.
     */
    private ProvisionReport interruptible(Map<String, Store.RequestLock> locks,
                                          java.util.function.Supplier<ProvisionReport> work) {
        Thread hook = new Thread(() -> interrupted(locks), "metal-provision-interrupted");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return work.get();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs
            }
        }
    }

    private void interrupted(Map<String, Store.RequestLock> locks) {
        List<String> left = new ArrayList<>();
        try {
            for (Host h : store.hosts(HostQuery.all().inStates(HostState.PROVISIONING))) {
                Provisioning p = h.provisioning();
                if (h.state() == HostState.PROVISIONING && p != null && locks.containsKey(p.requestId())) {
                    left.add(h.hostname());
                }
            }
        } catch (RuntimeException e) {
            log.debug("cannot read the hosts left: " + e.getMessage());
        }
        locks.values().forEach(Store.RequestLock::close);
        log.warn("interrupted: " + (left.isEmpty() ? "no host was left provisioning"
                : left.size() + " host(s) left provisioning (" + String.join(", ", left) + "); continue with"
                + " 'metal provision --resume', or put them back with 'metal host release HOST --reason TEXT'"));
    }

    /** Where a slot starts: its first host, the request it belongs to, and what is already done. */
    private record Start(int slot, String hostname, String requestId, int attempt, Instant phonedHomeAt) {}

    private ProvisionReport run(List<Start> starts, List<String> requests, PhoneHomeWatch watch) {
        if (starts.isEmpty()) return new ProvisionReport(requests, List.of(), false, List.of());
        guard = new Guard(maxQuarantine(starts), watch);
        runRequests = List.copyOf(requests);
        List<ProvisionReport.Slot> slots;
        try {
            slots = Parallel.map(starts, options.parallel(), "metal-provision", s -> runSlot(s, watch));
        } catch (Parallel.Interrupted e) {
            throw new SystemicException("interrupted; continue with 'metal provision --resume'");
        }
        String systemic = guard.stopped();
        if (systemic != null) {
            int back = releaseVictims(guard.victims(), systemic);
            throw new SystemicException(systemic + "; stopped the run, " + back + " claimed host(s) are ready again;"
                    + " fix the cause and run it again");
        }
        return new ProvisionReport(requests, slots, false, List.of());
    }

    /** The most hosts this run may quarantine: as asked, else 2 or a tenth of its profiles' hosts. */
    private int maxQuarantine(List<Start> starts) {
        if (options.maxQuarantine() != null) return options.maxQuarantine();
        java.util.Set<String> profiles = new java.util.HashSet<>();
        for (Start s : starts) {
            Host h = store.host(s.hostname());
            if (h != null && h.profile() != null) profiles.add(h.profile());
        }
        long pool = store.hosts(HostQuery.all()).stream().filter(h -> profiles.contains(h.profile())).count();
        return (int) Math.max(2, pool / 10);
    }

    /** What the run does with a host whose attempt failed. */
    private enum Verdict { QUARANTINE, RELEASE }

    /**
     * The run's view of its failures: how many hosts it quarantined, and whether the last
     * failure's cause came back on another host, which stops the run.
     */
    private static final class Guard {
        private final int maxQuarantine;
        private final PhoneHomeWatch watch;
        private final List<String> victims = new ArrayList<>();
        private int quarantined;
        private BootTrail.Cause lastCause;
        private String lastHost;
        private String stopped;
        private boolean full;

        Guard(int maxQuarantine, PhoneHomeWatch watch) {
            this.maxQuarantine = maxQuarantine;
            this.watch = watch;
        }

        synchronized Verdict failed(String hostname, BootTrail.Cause cause) {
            if (stopped != null) return Verdict.RELEASE;
            if (cause.systemic() && lastCause != null && lastCause.key().equals(cause.key())
                    && !lastHost.equals(hostname)) {
                stopped = "systemic: " + cause.text() + " (on " + lastHost + " and " + hostname + ", one after the other)";
                victims.add(lastHost);
                watch.stopAll(stopped);
                return Verdict.RELEASE;
            }
            lastCause = cause;
            lastHost = hostname;
            if (quarantined >= maxQuarantine) {
                full = true;
                return Verdict.RELEASE;
            }
            quarantined++;
            return Verdict.QUARANTINE;
        }

        synchronized void succeeded() {
            lastCause = null;
            lastHost = null;
        }

        synchronized String stopped() {
            return stopped;
        }

        /** Why no slot may try another host now, or null. */
        synchronized String noRetry() {
            if (stopped != null) return "the run stopped";
            if (full) return maxQuarantine + " host(s) quarantined, the most one run may (--max-quarantine)";
            return null;
        }

        synchronized List<String> victims() {
            return List.copyOf(victims);
        }
    }

    private Guard guard;
    private List<String> runRequests = List.of();

    /** A step failed; {@code cause} says which, and whether it is the machine's. */
    private static final class Failure extends Exception {
        final BootTrail.Cause cause;

        Failure(BootTrail.Cause cause) {
            super(cause.text());
            this.cause = cause;
        }

        Failure(String reason) {
            this(BootTrail.Cause.hardware("other", reason));
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
            progress.working(hostname, HostState.PROVISIONING.label(), "slot " + start.slot() + ", attempt " + attempt);
            try {
                timing = provisionHost(host, start.requestId(), attempt, phonedHome, watch);
                finish(hostname, start.requestId(), attempt, timing);
                progress.done(hostname, HostState.ACTIVE.label(), "installed");
                guard.succeeded();
                attempts.add(new ProvisionReport.Attempt(hostname, rack, "active", null));
                return new ProvisionReport.Slot(start.slot(), hostname, "active", attempts,
                        timing.bootMs(), timing.powerMs(), timing.phoneHomeMs(), sinceStart());
            } catch (Failure f) {
                // A boot that went wrong: the console tells what the boot server could not see.
                boolean booting = !java.util.Set.of("bmc", "stopped", "other").contains(f.cause.key());
                String reason = f.getMessage() + (host != null && booting ? console(host) : "");
                Verdict verdict = guard.failed(hostname, f.cause);
                boolean done;
                if (verdict == Verdict.QUARANTINE) {
                    log.warn(hostname + ": " + reason + "; quarantined");
                    done = quarantine(hostname, start.requestId(), reason);
                } else {
                    log.warn(hostname + ": " + reason + "; back to ready");
                    done = release(hostname, start.requestId(), reason);
                }
                progress.failed(hostname, done && verdict == Verdict.QUARANTINE ? HostState.QUARANTINED.label() : null, reason);
                if (done && host != null && !options.keepPower()) powerOff(host);
                attempts.add(new ProvisionReport.Attempt(hostname, rack,
                        !done ? "left" : verdict == Verdict.QUARANTINE ? "quarantined" : "released", reason));
            }
            String profile = host == null ? null : host.profile();
            if (attempt >= lastAttempt || profile == null) break;
            String noRetry = guard.noRetry();
            if (noRetry != null) {
                attempts.add(new ProvisionReport.Attempt(null, null, "no retry", noRetry));
                break;
            }
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
    private Timing provisionHost(Host host, String requestId, int attempt, Instant phonedHome, PhoneHomeWatch watch)
            throws Failure {
        if (host == null) throw new Failure("removed from the state");
        String stopped = guard.stopped();
        if (stopped != null) throw new Failure(BootTrail.Cause.hardware("stopped", "not started: " + stopped));
        Long bootMs = null;
        Long powerMs = null;
        if (phonedHome == null) {
            var waiting = watch.watch(host.hostname(), requestId);
            progress.working(host.hostname(), null, "PXE once and power cycle");
            if (guard.stopped() != null) {
                waiting.cancel(false);
                throw new Failure(BootTrail.Cause.hardware("stopped", "not started: " + guard.stopped()));
            }
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
                throw new Failure(BootTrail.Cause.hardware("bmc", "BMC: " + pxe.describeFailures(host.hostname())));
            }
            bootMs = pxe.value()[0];
            powerMs = pxe.value()[1];
            progress.working(host.hostname(), null, "waiting for the phone-home");
            try {
                phonedHome = waiting.get(options.timeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                waiting.cancel(false);
                Host now = store.host(host.hostname());
                Instant since = now != null && now.provisioning() != null ? now.provisioning().startedAt() : null;
                throw new Failure(BootTrail.noPhoneHome(store, host.hostname(), requestId, attempt, since,
                        human(options.timeout())));
            } catch (ExecutionException e) {
                if (e.getCause() instanceof PhoneHomeWatch.Stopped s) {
                    throw new Failure(BootTrail.Cause.hardware("stopped", "stopped: " + s.getMessage()));
                }
                Host now = store.host(host.hostname());
                Provisioning p = now == null ? null : now.provisioning();
                if (p != null && p.reportedFailure() && requestId.equals(p.requestId())) {
                    // The boot reported a failure: its journal says which step.
                    throw new Failure(BootTrail.noPhoneHome(store, host.hostname(), requestId, attempt, p.startedAt(),
                            human(options.timeout())));
                }
                throw new Failure(e.getCause().getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Failure("interrupted");
            }
        }
        Long phoneHomeMs = sinceStart();
        progress.working(host.hostname(), null, "phoned home; boot from disk");
        Bmcs.Attempt<Void> disk = bmcs.control(host, options.protocol(), (bmc, contact) -> {
            contact.sending();
            bmc.setBootOverride(new BootOverride(BootDevice.DISK, true, true));
            return null;
        });
        if (!disk.ok()) {
            throw new Failure(BootTrail.Cause.hardware("bmc", "installed, but setting boot to disk failed: BMC: "
                    + disk.describeFailures(host.hostname())));
        }
        return new Timing(bootMs, powerMs, phoneHomeMs);
    }

    /** Console lines a failure reason ends with. */
    static final int CONSOLE_LINES = 5;

    /**
     * The last lines of a failed host's console, when its BMC keeps them, for the reason:
     * "; console: LINE | LINE". Boot tokens (the kernel prints its command line) are masked,
     * and escape sequences dropped. A BMC that cannot say adds nothing.
     */
    private String console(Host host) {
        Bmcs.Attempt<List<String>> tail = bmcs.control(host, options.protocol(), (bmc, contact) -> bmc.consoleTail(CONSOLE_LINES));
        if (!tail.ok() || tail.value() == null) return "";
        List<String> lines = new ArrayList<>();
        for (String line : tail.value()) {
            String clean = line.replaceAll("\\e\\[[0-9;?]*[A-Za-z]", "").replaceAll("\\p{Cntrl}", "")
                    .replaceAll("token=[^\\s&\"']+", "token=***").strip();
            if (!clean.isEmpty()) lines.add(clean.length() > 200 ? clean.substring(0, 200) + "..." : clean);
        }
        return lines.isEmpty() ? "" : "; console: " + String.join(" | ", lines);
    }

    /** Powers a host off that this run took out of use; a BMC that does not do it is a warning. */
    private void powerOff(Host host) {
        Bmcs.Attempt<Void> off = bmcs.control(host, options.protocol(), (bmc, contact) -> {
            contact.sending();
            bmc.power(PowerAction.OFF);
            return null;
        });
        if (!off.ok()) {
            log.warn(host.hostname() + ": not powered off: " + off.describeFailures(host.hostname()));
        }
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

    /** Back to ready: the failure was not the host's (or the run may quarantine no more). */
    private boolean release(String hostname, String requestId, String reason) {
        return store.update(tx -> {
            Host h = tx.host(hostname);
            if (!ours(h, requestId)) return false;
            tx.put(h.moveTo(HostState.READY, "released by provision " + requestId + ": " + reason, tx.now())
                    .withProvisioning(h.provisioning().withToken(null)),
                    "provision-released", Map.of("request", requestId, "reason", reason));
            return true;
        });
    }

    /**
     * Hosts this run quarantined for a cause that turned out to be systemic go back to ready:
     * the fault was not theirs. Returns how many hosts the run released in all.
     */
    private int releaseVictims(List<String> victims, String why) {
        int back = store.update(tx -> {
            int n = 0;
            for (String name : victims) {
                Host h = tx.host(name);
                if (h == null || h.state() != HostState.QUARANTINED) continue;
                tx.put(h.moveTo(HostState.READY, why, tx.now()), "released", Map.of("reason", why, "to", "ready"));
                n++;
            }
            return n;
        });
        return back + (int) store.journal(JournalQuery.all().ofEvents("provision-released")).stream()
                .filter(e -> e.detail() != null && runRequests.contains(String.valueOf(e.detail().get("request"))))
                .count();
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

package dev.metal.provision;

import dev.metal.model.ConflictException;
import dev.metal.model.Host;
import dev.metal.model.HostState;
import dev.metal.model.Provisioning;
import dev.metal.state.HostQuery;
import dev.metal.state.Store;
import dev.metal.util.Log;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Waits for hosts to phone home. The boot server records a phone-home in the state,
 * so one thread reads the state now and then for all waiting hosts; an in-process server
 * also calls {@link #wake} to cut the wait short.
 */
final class PhoneHomeWatch implements AutoCloseable {
    private static final long POLL_MS = 200;

    private record Waiting(String requestId, CompletableFuture<Instant> done) {}

    private final Store store;
    private final Log log;
    private final Map<String, Waiting> waiting = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean closed;

    PhoneHomeWatch(Store store, Log log) {
        this.store = store;
        this.log = log;
        this.thread = new Thread(this::run, "metal-phone-home-watch");
        thread.setDaemon(true);
        thread.start();
    }

    /** Completes with the phone-home time; fails when the host leaves this provisioning. */
    CompletableFuture<Instant> watch(String hostname, String requestId) {
        CompletableFuture<Instant> f = new CompletableFuture<>();
        f.whenComplete((t, e) -> waiting.remove(hostname));
        waiting.put(hostname, new Waiting(requestId, f));
        wake();
        return f;
    }

    synchronized void wake() {
        notifyAll();
    }

    private void run() {
        while (!closed) {
            try {
                if (!waiting.isEmpty()) check(Map.copyOf(waiting));
            } catch (RuntimeException e) {
                // An unreadable state fails this round only; the next one reads it again.
                log.debug("phone-home watch: " + e.getMessage());
            }
            try {
                synchronized (this) {
                    wait(POLL_MS);
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Reads the hosts waited for now (and only those), and settles each wait that has an answer. */
    private void check(Map<String, Waiting> waits) {
        Map<String, Host> byName = new HashMap<>();
        for (Host h : store.hosts(HostQuery.named(waits.keySet()))) byName.put(h.hostname(), h);
        for (Map.Entry<String, Waiting> e : waits.entrySet()) {
            Host h = byName.get(e.getKey());
            Provisioning p = h == null ? null : h.provisioning();
            if (h == null || h.state() != HostState.PROVISIONING || p == null
                    || !e.getValue().requestId().equals(p.requestId())) {
                String now = h == null ? "removed" : h.state() + (h.stateReason() == null ? "" : " (" + h.stateReason() + ")");
                e.getValue().done().completeExceptionally(new ConflictException("left provisioning: now " + now));
            } else if (p.phonedHomeAt() != null) {
                e.getValue().done().complete(p.phonedHomeAt());
            } else if (p.reportedFailure()) {
                e.getValue().done().completeExceptionally(new ConflictException(p.stage()));
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}

package dev.metal.redfish;

import dev.metal.model.Host;
import dev.metal.model.Inventory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Scrapes many BMCs at once: each host gets its own client and walk, a fixed number of
 * hosts are in flight, and a failing host never stops the others. No state is touched
 * here; the caller stores the outcomes in one update.
 */
public final class Scraper {
    /** One host's outcome: an inventory, or the one-line reason it failed. */
    public record Outcome(String hostname, Inventory inventory, String error, String fingerprint,
                          long requests, long bytes, Duration time, int depth) {
        public boolean ok() {
            return error == null;
        }
    }

    /** Told as each host finishes (for a progress bar). */
    @FunctionalInterface
    public interface Progress {
        void done(Outcome outcome, int finished, int total);
    }

    /** Warnings about resources the BMC sent broken (links without @odata.id, a list that is none, a shape we cannot read). */
    private static final java.util.regex.Pattern BROKEN = java.util.regex.Pattern.compile(
            "has no @odata\\.id|, not a list|not a link that can be read|internal error");

    private final RedfishClient.Options options;
    private final int parallel;
    private final Clock clock;
    private final boolean repin;

    public Scraper(RedfishClient.Options options, int parallel, boolean repin, Clock clock) {
        this.options = options;
        this.parallel = Math.max(1, parallel);
        this.repin = repin;
        this.clock = clock;
    }

    public List<Outcome> scrape(List<Host> hosts, Progress progress) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallel, Math.max(1, hosts.size())), r -> {
            Thread t = new Thread(r, "scrape");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Outcome>> futures = new ArrayList<>();
            for (Host h : hosts) futures.add(pool.submit(() -> one(h)));
            List<Outcome> out = new ArrayList<>();
            int finished = 0;
            // Report in completion order would be nicer to watch; hosts are short, order keeps output stable.
            for (Future<Outcome> f : futures) {
                Outcome o;
                try {
                    o = f.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RedfishException("interrupted");
                } catch (ExecutionException e) {
                    throw new RedfishException(String.valueOf(e.getCause().getMessage()), e.getCause());
                }
                out.add(o);
                if (progress != null) progress.done(o, ++finished, hosts.size());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Scrapes one host; every failure becomes an outcome with a reason, the session is always ended. */
    public Outcome one(Host h) {
        long start = System.nanoTime();
        RedfishClient client = null;
        try {
            if (h.bmc().address() == null) throw new RedfishException(h.hostname() + ": no BMC address (run metal discover)");
            String pinned = repin ? null : h.bmc().tlsFingerprint();
            client = RedfishClient.forHost(h, pinned, options);
            Walk.Result walk = Walk.loginAndRun(client);
            Inventory inv = InventoryMapper.map(walk, clock.instant());
            // What the BMC sent broken is worth a line on stderr, with the host: the inventory may lack a part.
            for (String w : inv.warnings()) {
                if (BROKEN.matcher(w).find()) options.log().warn(h.hostname() + ": " + w);
            }
            Duration time = Duration.ofNanos(System.nanoTime() - start);
            options.log().info("scraped " + h.hostname() + " in " + time.toMillis() + " ms (" + client.requests() + " requests)");
            return new Outcome(h.hostname(), inv, null, client.fingerprint(), client.requests(), client.bytes(), time,
                    walk.depth());
        } catch (RuntimeException e) {
            String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (!msg.startsWith(h.hostname() + ":")) msg = h.hostname() + ": " + msg;
            options.log().debug(msg);
            return new Outcome(h.hostname(), null, msg, client == null ? null : client.fingerprint(),
                    client == null ? 0 : client.requests(), client == null ? 0 : client.bytes(),
                    Duration.ofNanos(System.nanoTime() - start), 0);
        } finally {
            if (client != null) client.close();
        }
    }
}

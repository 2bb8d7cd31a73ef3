package dev.metal.util;

import dev.metal.model.SystemicException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.BiConsumer;
import java.util.function.Function;

/** Work on many hosts at once: a bounded number in flight, results in the order given. */
public final class Parallel {
    private Parallel() {}

    /** The run was interrupted (Ctrl-C) before every item was done. */
    public static final class Interrupted extends SystemicException {
        Interrupted() {
            super("interrupted");
        }
    }

    /**
     * Applies {@code work} to every item with at most {@code threads} at a time. A failure of
     * {@code work} is rethrown as it was (wrapped only when checked); the other items stop.
     */
    public static <T, R> List<R> map(List<T> items, int threads, String name, Function<T, R> work) {
        return map(items, threads, name, work, (r, n) -> {});
    }

    /** The same, telling {@code done} of each result (and how many are done) in the order of the items. */
    public static <T, R> List<R> map(List<T> items, int threads, String name, Function<T, R> work,
                                     BiConsumer<R, Integer> done) {
        if (items.isEmpty()) return List.of();
        return run(items, Executors.newFixedThreadPool(Math.max(1, Math.min(threads, items.size())), Threads.daemon(name)),
                work, done);
    }

    /**
     * For work that waits (on BMCs, over the network) rather than computes: at most {@code limit}
     * items at once, each on a virtual thread when the JVM has them (21 and newer), so that thousands
     * of items in flight cost no more than the waiting; on 17, on as many platform threads.
     */
    public static <T, R> List<R> mapWaiting(List<T> items, int limit, String name, Function<T, R> work,
                                            BiConsumer<R, Integer> done) {
        if (items.isEmpty()) return List.of();
        if (!Threads.virtual()) return map(items, limit, name, work, done);
        Semaphore inFlight = new Semaphore(Math.max(1, limit));
        return run(items, Threads.forWaiting(name), item -> {
            inFlight.acquireUninterruptibly();
            try {
                return work.apply(item);
            } finally {
                inFlight.release();
            }
        }, done);
    }

    private static <T, R> List<R> run(List<T> items, ExecutorService pool, Function<T, R> work,
                                       BiConsumer<R, Integer> done) {
        try {
            List<Future<R>> futures = new ArrayList<>();
            for (T item : items) futures.add(pool.submit(() -> work.apply(item)));
            List<R> results = new ArrayList<>();
            for (Future<R> f : futures) {
                R r = f.get();
                results.add(r);
                done.accept(r, results.size());
            }
            return results;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Interrupted();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new SystemicException(e.getCause().getMessage(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }
}

package dev.metal.util;

import dev.metal.model.SystemicException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiConsumer;
import java.util.function.Function;

/** Work on many hosts at once: a bounded pool of daemon threads, results in the order given. */
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
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, items.size())), r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
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

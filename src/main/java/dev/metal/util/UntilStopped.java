package dev.metal.util;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a long-running command (lab up, serve) until Ctrl-C or its --for limit. Either way
 * {@code stop} runs once the wait ends: on Ctrl-C from the shutdown hook, else on close().
 */
public final class UntilStopped implements AutoCloseable {
    private final Runnable stop;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread hook;

    public UntilStopped(Runnable stop) {
        this.stop = stop;
        this.hook = new Thread(() -> {
            stop.run();
            stopped.countDown();
        }, "metal-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Waits for Ctrl-C, or at most {@code limit} when given. */
    public void await(Duration limit) throws InterruptedException {
        if (limit == null) stopped.await();
        else stopped.await(limit.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        stop.run();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running
        }
    }
}

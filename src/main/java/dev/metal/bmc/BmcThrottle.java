package dev.metal.bmc;

import dev.metal.model.SystemicException;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps a minimum interval between commands sent to the same BMC, whichever thread sends
 * them: BMCs are small computers and fall over when hammered.
 */
public final class BmcThrottle {
    private final long intervalNanos;
    private final ConcurrentHashMap<String, long[]> next = new ConcurrentHashMap<>();

    public BmcThrottle(Duration interval) {
        this.intervalNanos = interval.toNanos();
    }

    /** Blocks until a command may go to {@code bmc} (its address), and books that slot. */
    public void await(String bmc) {
        if (intervalNanos <= 0) return;
        long[] slot = next.computeIfAbsent(bmc, k -> new long[] {System.nanoTime()});
        long wait;
        synchronized (slot) {
            long now = System.nanoTime();
            long at = Math.max(now, slot[0]);
            slot[0] = at + intervalNanos;
            wait = at - now;
        }
        if (wait > 0) {
            try {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SystemicException("interrupted");
            }
        }
    }

    /** {@code session} with every call going through this throttle. */
    public BmcSession wrap(BmcSession session, String bmc) {
        return new BmcSession() {
            @Override
            public PowerState powerState() {
                await(bmc);
                return session.powerState();
            }

            @Override
            public void power(PowerAction action) {
                await(bmc);
                session.power(action);
            }

            @Override
            public BootOverride bootOverride() {
                await(bmc);
                return session.bootOverride();
            }

            @Override
            public void setBootOverride(BootOverride override) {
                await(bmc);
                session.setBootOverride(override);
            }

            @Override
            public boolean shows(BootOverride wanted, BootOverride readBack) {
                return session.shows(wanted, readBack);
            }

            @Override
            public String fingerprint() {
                return session.fingerprint();
            }

            @Override
            public java.util.List<String> consoleTail(int lines) {
                await(bmc);
                return session.consoleTail(lines);
            }

            @Override
            public void close() {
                session.close();
            }
        };
    }
}

package dev.metal.boot;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Keeps refused requests from growing the journal without limit: each one is journaled (an
 * fsync under the state lock) only while its address and the server stay within their
 * budgets for the current window; the rest are counted, and one line per window says how
 * many were left out and from how many addresses.
 */
final class RefusalLimiter {
    private final int perAddress;
    private final int total;
    private final Duration window;
    private final Consumer<Map<String, Object>> summary;
    private final Map<String, Integer> byAddress = new HashMap<>();
    private Instant windowStart;
    private int journaled;
    private int suppressed;
    private final Map<String, Boolean> suppressedFrom = new HashMap<>();

    /** @param summary journals the line that counts what a window left out */
    RefusalLimiter(int perAddress, int total, Duration window, Consumer<Map<String, Object>> summary) {
        this.perAddress = perAddress;
        this.total = total;
        this.window = window;
        this.summary = summary;
    }

    /** True when this refusal from {@code address} is to be journaled on its own line. */
    boolean admit(String address, Instant now) {
        Map<String, Object> flushed;
        boolean admitted;
        synchronized (this) {
            flushed = roll(now);
            int n = byAddress.merge(address, 1, Integer::sum);
            admitted = n <= perAddress && journaled < total;
            if (admitted) {
                journaled++;
            } else {
                suppressed++;
                suppressedFrom.put(address, Boolean.TRUE);
            }
        }
        if (flushed != null) summary.accept(flushed);
        return admitted;
    }

    /** Journals the count of a window that has ended; called now and then, and on close. */
    void flush(Instant now, boolean force) {
        Map<String, Object> flushed;
        synchronized (this) {
            flushed = force ? end(now) : roll(now);
        }
        if (flushed != null) summary.accept(flushed);
    }

    private Map<String, Object> roll(Instant now) {
        if (windowStart != null && now.isBefore(windowStart.plus(window))) return null;
        Map<String, Object> out = end(now);
        windowStart = now;
        return out;
    }

    private Map<String, Object> end(Instant now) {
        Map<String, Object> out = null;
        if (suppressed > 0) {
            out = new LinkedHashMap<>();
            out.put("reason", "refusals over the journal's budget, counted here instead");
            out.put("count", suppressed);
            out.put("addresses", suppressedFrom.size());
            out.put("since", String.valueOf(windowStart));
            out.put("until", now.toString());
        }
        byAddress.clear();
        suppressedFrom.clear();
        journaled = 0;
        suppressed = 0;
        return out;
    }
}

package dev.metal.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Waiting work: never more than the limit in flight, results and progress in the order given. */
class ParallelTest {
    @Test
    void waitingWorkKeepsToItsLimitAndOrder() {
        AtomicInteger now = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        List<Integer> items = IntStream.range(0, 40).boxed().toList();
        List<Integer> told = new ArrayList<>();
        List<Integer> out = Parallel.mapWaiting(items, 5, "wait", i -> {
            most.accumulateAndGet(now.incrementAndGet(), Math::max);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            now.decrementAndGet();
            return i * 2;
        }, (r, n) -> told.add(n));
        assertEquals(items.stream().map(i -> i * 2).toList(), out);
        assertEquals(IntStream.rangeClosed(1, 40).boxed().toList(), told);
        assertTrue(most.get() <= 5, "in flight at most: " + most.get());
        assertTrue(most.get() >= 2, "in flight at once: " + most.get());
    }

    @Test
    void aFailureIsRethrownAsItWas() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Parallel.mapWaiting(List.of(1, 2, 3), 2, "wait", i -> {
                    if (i == 2) throw new IllegalArgumentException("two");
                    return i;
                }, (r, n) -> { }));
        assertEquals("two", e.getMessage());
    }
}

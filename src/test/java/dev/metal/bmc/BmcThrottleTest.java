package dev.metal.bmc;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BmcThrottleTest {
    @Test
    void commandsToOneBmcAreSpacedByTheInterval() {
        BmcThrottle throttle = new BmcThrottle(Duration.ofMillis(100));
        long start = System.nanoTime();
        for (int i = 0; i < 4; i++) throttle.await("10.0.0.1|623");
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        // the first goes at once, each of the three others waits its turn
        assertTrue(elapsedMillis >= 300, "took " + elapsedMillis + " ms");
    }
}

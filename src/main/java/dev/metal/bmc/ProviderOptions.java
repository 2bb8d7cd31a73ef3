package dev.metal.bmc;

import dev.metal.util.Log;
import java.time.Clock;
import java.time.Duration;

/**
 * How the providers of one run talk to BMCs: how long to wait for an answer, how often to
 * retry, how many requests one BMC gets at once, whether TLS certificates are checked at
 * all (--insecure), where diagnostics go, and the clock that dates inventories.
 */
public record ProviderOptions(Duration readTimeout, int retries, int maxConcurrent, boolean insecure, Log log,
                              Clock clock) {
    public static ProviderOptions defaults(Log log, Clock clock) {
        return new ProviderOptions(Duration.ofSeconds(30), 2, 2, false, log, clock);
    }
}

package dev.metal.workflow;

import dev.metal.bmc.BmcProvider;
import dev.metal.bmc.Bmcs;
import dev.metal.bmc.CertificatePins;
import dev.metal.bmc.ProviderOptions;
import dev.metal.bmc.StandardProviders;
import dev.metal.boot.BootContent;
import dev.metal.boot.BootServer;
import dev.metal.boot.RenderedBootContent;
import dev.metal.model.Host;
import dev.metal.state.Store;
import dev.metal.state.Stores;
import dev.metal.util.Log;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The parts a run of metal works with, made once by the command line: how to open the
 * state, which BMC providers to try, the boot server and what it hands out, and the clock.
 * Tests build one with the lab's BMCs or their own boot content in place of the real ones.
 */
public final class Services {
    /** Opens the state where the command line says it is. */
    @FunctionalInterface
    public interface StoreOpener {
        Store open(String location, String command, Clock clock);
    }

    /** Makes the BMC providers of one run, in the order they are tried. */
    @FunctionalInterface
    public interface BmcProviders {
        List<BmcProvider> create(ProviderOptions options);
    }

    private final StoreOpener stores;
    private final BmcProviders bmcProviders;
    private final Supplier<BootContent> bootContent;
    private final Clock clock;

    private Services(StoreOpener stores, BmcProviders bmcProviders, Supplier<BootContent> bootContent, Clock clock) {
        this.stores = stores;
        this.bmcProviders = bmcProviders;
        this.bootContent = bootContent;
        this.clock = clock;
    }

    /** The real parts: the state where --state points, Redfish then IPMI, the rendered boot files, the system clock. */
    public static Services standard() {
        return new Services(Stores::open, StandardProviders::create, () -> new RenderedBootContent(null),
                Clock.systemUTC());
    }

    /** Opens the state another way (benchmarks compare engines through the real command line). */
    public Services withStores(StoreOpener opener) {
        return new Services(opener, bmcProviders, bootContent, clock);
    }

    public Services withBmcProviders(BmcProviders providers) {
        return new Services(stores, providers, bootContent, clock);
    }

    public Services withBootContent(Supplier<BootContent> content) {
        return new Services(stores, bmcProviders, content, clock);
    }

    public Services withClock(Clock value) {
        return new Services(stores, bmcProviders, bootContent, value);
    }

    public Clock clock() {
        return clock;
    }

    /** @param command what the journal records as the cause of changes (no secrets) */
    public Store openStore(String location, String command) {
        return stores.open(location, command, clock);
    }

    /**
     * The BMCs of one run: these providers, pins kept in {@code store} (the first certificate
     * each BMC shows; with {@code repin} the one it shows now), commands to one BMC at least
     * {@code minInterval} apart.
     */
    public Bmcs bmcs(Store store, ProviderOptions options, boolean repin, Duration minInterval) {
        return bmcs(options, new CertificatePins((host, fingerprint) -> pin(store, host, fingerprint), repin),
                minInterval);
    }

    /** The BMCs of one run, with pins kept by {@code pins}. */
    public Bmcs bmcs(ProviderOptions options, CertificatePins pins, Duration minInterval) {
        return new Bmcs(bmcProviders.create(options), pins, minInterval, options.log());
    }

    /** Pins a certificate met for the first time, unless the host got a pin meanwhile. */
    private static void pin(Store store, Host host, String fingerprint) {
        store.update(tx -> {
            Host h = tx.host(host.hostname());
            if (h != null && h.bmc().tlsFingerprint() == null) {
                tx.put(h.withBmc(h.bmc().withTlsFingerprint(fingerprint)), "tls-pinned",
                        Map.of("fingerprint", fingerprint));
            }
            return null;
        });
    }

    /**
     * Starts a boot server over {@code store} on {@code listen}, serving {@code files} under
     * /files/; {@code onPhoneHome} hears of each phone-home it records.
     */
    public BootServer startBootServer(Store store, Path files, InetSocketAddress listen, String advertise,
                                      BootServer.Limits limits, Log log, Consumer<String> onPhoneHome) {
        return new BootServer(new StoreBootBackend(store, onPhoneHome), bootContent.get(), files, advertise, limits,
                log).start(listen);
    }
}

package dev.metal.workflow;

import dev.metal.boot.BootServer;
import dev.metal.state.Store;
import dev.metal.util.Log;
import dev.metal.util.UntilStopped;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/** 'metal serve': the boot server over the state, until Ctrl-C (or for a while, in tests). */
public final class ServeService {
    private final Services services;
    private final Store store;
    private final Log log;

    public ServeService(Services services, Store store, Log log) {
        this.services = services;
        this.store = store;
        this.log = log;
    }

    /**
     * Serves until stopped, or for {@code limit} when given; {@code started} hears the base URL
     * once the server listens. Returns the base URL it served at.
     */
    public String serve(InetSocketAddress listen, Path files, String advertise, BootServer.Limits limits, Duration limit,
                        Consumer<String> started) throws InterruptedException {
        BootServer server = services.startBootServer(store, files, listen, advertise, limits, log,
                hostname -> {});
        try (UntilStopped running = new UntilStopped(server::close)) {
            started.accept(server.baseUrl());
            running.await(limit);
        }
        return server.baseUrl();
    }
}

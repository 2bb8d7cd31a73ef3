package dev.metal.testing;

import dev.metal.model.Host;
import dev.metal.state.HostQuery;
import dev.metal.state.Store;
import dev.metal.state.Stores;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/** The state a test's metal commands used, opened the way the command line opens it. */
public final class TestState {
    private TestState() {}

    public static Store open(Path state) {
        return Stores.open(state.toString(), "test", Clock.systemUTC());
    }

    /** Every host, whole, by name. */
    public static Map<String, Host> hosts(Path state) {
        try (Store store = open(state)) {
            Map<String, Host> hosts = new LinkedHashMap<>();
            for (Host h : store.hosts(HostQuery.all().withInventories())) hosts.put(h.hostname(), h);
            return hosts;
        }
    }
}

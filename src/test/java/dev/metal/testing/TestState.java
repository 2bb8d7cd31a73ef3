package dev.metal.testing;

import dev.metal.model.Host;
import dev.metal.state.HostQuery;
import dev.metal.state.Store;
import dev.metal.state.Stores;
import dev.metal.util.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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

    /** The whole state as 'metal state export' writes it (secrets as their references), to compare or search. */
    public static String export(Path state) {
        try (Store store = open(state)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            store.export(out);
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    /** The journal as stored (secrets as the state keeps them), as JSON: to search for what it must never hold. */
    public static String journal(Path state) {
        try {
            return Json.mapper().readTree(export(state)).get("journal").toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every byte metal keeps on disk for this state (the database and its write-ahead log), to search for secrets. */
    public static String raw(Path state) {
        StringBuilder b = new StringBuilder();
        for (String suffix : new String[] {"", "-wal"}) {
            Path p = state.resolveSibling(state.getFileName() + suffix);
            try {
                if (Files.exists(p)) b.append(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return b.toString();
    }
}

package dev.metal.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metal.model.Bmc;
import dev.metal.model.ConflictException;
import dev.metal.model.Host;
import dev.metal.model.HostState;
import dev.metal.model.ProfileMatch;
import dev.metal.model.Provisioning;
import dev.metal.model.Secret;
import dev.metal.model.Site;
import dev.metal.profile.Inventories;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * What {@link Store} and {@link Transaction} promise, checked on every engine: a subclass per
 * engine hands out fresh, empty states.
 */
abstract class StoreContractTest {
    static final Instant T0 = Instant.parse("2026-12-01T10:00:00.123456789Z");

    /** A fresh, empty state's location. */
    abstract String newLocation() throws Exception;

    /** Runs SQL on the state under the interface (to fake a newer metal). */
    abstract void sql(String location, String statement) throws Exception;

    static Store open(String location) {
        return Stores.open(location, "test", Clock.systemUTC());
    }

    static Host host(String name, String rack, HostState state) {
        Bmc bmc = new Bmc("02:00:00:00:" + String.format("%02x:%02x", name.hashCode() & 0xff, (name.hashCode() >> 8) & 0xff),
                "10.0.0.1", "admin", Secret.of("env:BMC_PW"), 623, "sha256:ab:cd");
        return new Host(name, rack, 1, bmc, null, "S-" + name, List.of("lab"), state, "why", T0,
                null, null, null, Map.of("public.ipv4", "192.0.2.1/24"), null);
    }

    static Host full(String name) {
        Host h = host(name, "r1", HostState.READY).withInventory(Inventories.supermicro(1)).withInventory(Inventories.dellR6525(2));
        ProfileMatch m = new ProfileMatch("compute", Map.of("eth0", new ProfileMatch.NamedNic("eth0", "02:aa:bb:cc:dd:01",
                "1", "1", 25000)), Map.of(), "nvme0", "evidence");
        return h.withMatch(m).withProvisioning(new Provisioning("req-1", "debian-12", Secret.of("tok-s3cr3t"), T0, null, 1,
                "ssh-ed25519 AAAA"));
    }

    @Test
    void anEmptyStateReadsAsEmpty() throws Exception {
        try (Store s = open(newLocation())) {
            assertNull(s.host("x"));
            assertEquals(List.of(), s.hosts(HostQuery.all()));
            assertNull(s.site());
            assertEquals(Map.of(), s.poolTargets());
            assertEquals(List.of(), s.journal(JournalQuery.all()));
            assertNull(s.hostByMac("02:aa:bb:cc:dd:01"));
        }
    }

    @Test
    void aHostComesBackWithEveryFieldAndBulkReadsLeaveInventoriesOut() throws Exception {
        try (Store s = open(newLocation())) {
            Host h = full("n1");
            s.update(tx -> {
                tx.put(h, "imported", Map.of("line", 2));
                return null;
            });
            assertEquals(h, s.host("n1"));
            assertEquals("tok-s3cr3t", s.host("n1").provisioning().token().reference(), "secrets are kept as references");
            Host listed = s.hosts(HostQuery.all()).get(0);
            assertNull(listed.inventory());
            assertEquals(JsonFileStore.withoutInventories(h), listed);
            assertEquals(h, s.hosts(HostQuery.all().withInventories()).get(0));
            assertEquals("n1", s.hostByMac("02-AA-BB-CC-DD-01").hostname(), "by a NIC the match named");
        }
    }

    @Test
    void aHostReadWithoutInventoriesAndPutBackKeepsThem() throws Exception {
        try (Store s = open(newLocation())) {
            s.update(tx -> {
                tx.put(full("n1"), "imported");
                return null;
            });
            s.update(tx -> {
                Host h = tx.hosts(HostQuery.named(List.of("n1"))).get(0);
                tx.put(h.moveTo(HostState.QUARANTINED, "test", T0), "quarantined");
                return null;
            });
            Host after = s.host("n1");
            assertEquals(HostState.QUARANTINED, after.state());
            assertNotNull(after.inventory());
            assertNotNull(after.previousInventory());
        }
    }

    @Test
    void queriesFilterAndSortByHostname() throws Exception {
        try (Store s = open(newLocation())) {
            s.update(tx -> {
                for (String n : List.of("b-2", "a-10", "a-9", "B-1", "c")) {
                    tx.put(host(n, n.startsWith("a") ? "ra" : "rb", n.equals("c") ? HostState.READY : HostState.IMPORTED), "imported");
                }
                tx.put(full("z"), "imported");
                return null;
            });
            assertEquals(List.of("B-1", "a-10", "a-9", "b-2", "c", "z"), names(s.hosts(HostQuery.all())));
            assertEquals(List.of("a-10", "a-9"), names(s.hosts(HostQuery.all().inRack("ra"))));
            assertEquals(List.of("c", "z"), names(s.hosts(HostQuery.all().inStates(HostState.READY))));
            assertEquals(List.of("z"), names(s.hosts(HostQuery.all().ofProfile("compute"))));
            assertEquals(List.of("z"), names(s.hosts(HostQuery.all().ofRequest("req-1"))));
            assertEquals(List.of("a-9", "c"), names(s.hosts(HostQuery.named(List.of("c", "a-9", "nope")))));
            List<String> many = new ArrayList<>();
            for (int i = 0; i < 1200; i++) many.add("x" + i);
            many.add("c");
            assertEquals(List.of("c"), names(s.hosts(HostQuery.named(many))), "a long name list");
            assertEquals(List.of(), s.hosts(HostQuery.named(List.of())));
        }
    }

    static List<String> names(List<Host> hosts) {
        return hosts.stream().map(Host::hostname).toList();
    }

    @Test
    void aChangeThatThrowsWritesNothing() throws Exception {
        try (Store s = open(newLocation())) {
            assertThrows(IllegalArgumentException.class, () -> s.update(tx -> {
                tx.put(host("n1", "r1", HostState.IMPORTED), "imported");
                tx.putPoolTarget("compute", 3, "pool-target", Map.of());
                throw new IllegalArgumentException("no");
            }));
            assertNull(s.host("n1"));
            assertEquals(Map.of(), s.poolTargets());
            assertEquals(List.of(), s.journal(JournalQuery.all()));
        }
    }

    @Test
    void removeKeepsTheJournalAndSiteAndPoolTargetsRoundTrip() throws Exception {
        try (Store s = open(newLocation())) {
            Site site = new Site("lab", "example.net", "http://boot", List.of("192.0.2.53"), List.of(), Map.of(), 10,
                    null, null, List.of(), Map.of());
            s.update(tx -> {
                tx.put(host("n1", "r1", HostState.IMPORTED), "imported");
                tx.putSite(site, "site-set", Map.of("file", "site.yaml"));
                tx.putPoolTarget("compute", 3, "pool-target", Map.of());
                tx.putPoolTarget("storage", 2, "pool-target", Map.of());
                return null;
            });
            s.update(tx -> {
                tx.remove("n1", "removed");
                tx.remove("never", "removed");
                tx.putPoolTarget("storage", 0, "pool-target", Map.of());
                return null;
            });
            assertNull(s.host("n1"));
            assertEquals(site, s.site());
            assertEquals(Map.of("compute", 3), s.poolTargets());
            assertEquals(List.of("imported", "removed"), s.journal(JournalQuery.forHost("n1")).stream().map(JournalEntry::event).toList());
            assertEquals(List.of(), s.journal(JournalQuery.forHost("never")));
        }
    }

    @Test
    void journalQueriesSelectByHostEventTimeAndLimit() throws Exception {
        String location = newLocation();
        Instant[] times = {T0, T0.plusNanos(1), T0.plusSeconds(60)};
        for (int i = 0; i < times.length; i++) {
            Instant t = times[i];
            int n = i;
            try (Store s = Stores.open(location, "cmd" + i, Clock.fixed(t, java.time.ZoneOffset.UTC))) {
                s.update(tx -> {
                    tx.journal("h" + n % 2, n == 2 ? "b" : "a", Map.of("n", n, "list", List.of("x", "y")));
                    return null;
                });
            }
        }
        try (Store s = open(location)) {
            List<JournalEntry> all = s.journal(JournalQuery.all());
            assertEquals(3, all.size());
            assertEquals(new JournalEntry(T0, "cmd0", "h0", "a", Map.of("n", 0, "list", List.of("x", "y"))), all.get(0));
            assertEquals(2, s.journal(JournalQuery.forHost("h0")).size());
            assertEquals(List.of("b"), s.journal(JournalQuery.all().ofEvents("b")).stream().map(JournalEntry::event).toList());
            assertEquals(2, s.journal(JournalQuery.all().since(T0.plusNanos(1))).size(), "since is to the nanosecond");
            assertEquals(List.of("cmd1", "cmd2"), s.journal(JournalQuery.all().last(2)).stream().map(JournalEntry::command).toList());
        }
    }

    @Test
    void parallelClaimsNeverTakeOneHostTwice() throws Exception {
        String location = newLocation();
        try (Store s = open(location)) {
            s.update(tx -> {
                for (int i = 0; i < 40; i++) tx.put(host(String.format("n%02d", i), "r1", HostState.READY), "imported");
                return null;
            });
        }
        int workers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<List<String>>> claims = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            claims.add(pool.submit(() -> {
                go.await();
                List<String> mine = new ArrayList<>();
                try (Store s = open(location)) {
                    for (int k = 0; k < 5; k++) {
                        String got = s.update(tx -> {
                            List<Host> ready = tx.hosts(HostQuery.all().inStates(HostState.READY).skippingLocked());
                            if (ready.isEmpty()) return null;
                            Host h = ready.get(0);
                            tx.put(h.moveTo(HostState.PROVISIONING, "claimed", tx.now()), "claimed");
                            return h.hostname();
                        });
                        if (got != null) mine.add(got);
                    }
                }
                return mine;
            }));
        }
        go.countDown();
        Set<String> taken = new HashSet<>();
        int total = 0;
        for (Future<List<String>> f : claims) {
            for (String h : f.get()) {
                total++;
                assertTrue(taken.add(h), h + " claimed twice");
            }
        }
        pool.shutdown();
        assertEquals(40, total, "every claim got a host");
        try (Store s = open(location)) {
            assertEquals(40, s.hosts(HostQuery.all().inStates(HostState.PROVISIONING)).size());
            assertEquals(40, s.journal(JournalQuery.all().ofEvents("claimed")).size());
        }
    }

    @Test
    void exportThenImportGivesTheSameState() throws Exception {
        String from = newLocation();
        try (Store s = open(from)) {
            s.update(tx -> {
                tx.put(full("n1"), "imported", Map.of("line", 2));
                tx.put(host("n2", "r2", HostState.IMPORTED), "imported");
                tx.putPoolTarget("compute", 2, "pool-target", Map.of("profile", "compute"));
                return null;
            });
        }
        String exported = export(from);
        String to = newLocation();
        try (Store s = open(to)) {
            assertEquals(2, s.importState(new ByteArrayInputStream(exported.getBytes(StandardCharsets.UTF_8)), "export.json"));
            assertEquals(full("n1"), s.host("n1"));
        }
        assertEquals(exported, export(to));
        try (Store s = open(to)) {
            ConflictException e = assertThrows(ConflictException.class,
                    () -> s.importState(new ByteArrayInputStream(exported.getBytes(StandardCharsets.UTF_8)), "export.json"));
            assertTrue(e.getMessage().contains("not empty"), e.getMessage());
        }
    }

    @Test
    void aFailedImportLeavesNothingBehind() throws Exception {
        String from = newLocation();
        try (Store s = open(from)) {
            s.update(tx -> {
                for (int i = 0; i < 50; i++) tx.put(host("n" + i, "r1", HostState.IMPORTED), "imported");
                return null;
            });
        }
        // A host row that the database refuses (no rack) after 50 good ones.
        String broken = export(from).replaceFirst("\"rack\" : \"r1\"", "\"rack\" : null");
        String to = newLocation();
        try (Store s = open(to)) {
            assertThrows(RuntimeException.class,
                    () -> s.importState(new ByteArrayInputStream(broken.getBytes(StandardCharsets.UTF_8)), "broken.json"));
            assertEquals(List.of(), s.hosts(HostQuery.all()));
            assertEquals(List.of(), s.journal(JournalQuery.all()));
        }
    }

    @Test
    void aStateFromANewerMetalIsRefused() throws Exception {
        String location = newLocation();
        try (Store s = open(location)) {
            s.update(tx -> {
                tx.journal(null, "hello", Map.of());
                return null;
            });
        }
        sql(location, "UPDATE metal_schema SET version = 99");
        try (Store s = open(location)) {
            StateException e = assertThrows(StateException.class, () -> s.host("x"));
            assertTrue(e.getMessage().contains("schema version 99") && e.getMessage().contains("newer"), e.getMessage());
            assertFalse(e.getMessage().contains("password"), e.getMessage());
        }
    }

    @Test
    void aRequestLockIsHeldOnceAndFreedOnClose() throws Exception {
        String location = newLocation();
        try (Store a = open(location); Store b = open(location)) {
            a.update(tx -> null);
            Store.RequestLock lock = a.lockRequest("r1");
            assertNotNull(lock);
            assertNull(b.lockRequest("r1"), "held");
            Store.RequestLock other = b.lockRequest("r2");
            assertNotNull(other, "another request is free");
            other.close();
            lock.close();
            Store.RequestLock again = b.lockRequest("r1");
            assertNotNull(again, "free again");
            again.close();
        }
    }

    static String export(String location) {
        try (Store s = open(location)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            s.export(out);
            return out.toString(StandardCharsets.UTF_8);
        }
    }
}

package dev.metal.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metal.cli.CliRun;
import dev.metal.lab.Lab;
import dev.metal.lab.ServerModel;
import dev.metal.model.Host;
import dev.metal.model.HostState;
import dev.metal.model.Inventory;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a {@code metal scrape --all} at moments spread over the scrape, on SQLite:
 * while BMCs are read, while the inventories are being stored, and after. Scrape stores every
 * inventory in one transaction, so each kill must leave the hosts as discover left them or
 * every one inventoried in full, never a part of them or a host half-written; and the next
 * scrape finishes.
 */
class ScrapeKillTest {
    private static final int HOSTS = 40;

    @TempDir
    static Path tmp;

    private static Lab lab;
    /** The state discover left: every host with its BMC address, none scraped. */
    private static Path discovered;
    private static Snapshot before;
    /** What a whole scrape stores (null until one did). */
    private static Map<String, Host> scraped;
    private static int runs;

    @BeforeAll
    static void discoveredLab() throws Exception {
        // BMCs slow enough that reading the fleet takes a while, so that the kills spread over it.
        Lab.Options options = new Lab.Options(HOSTS, 2, 20, List.of(), tmp.resolve("lab"), false,
                URI.create("http://127.0.0.1:9"), 0, Lab.DEFAULT_IPMI_PORT, Duration.ofMillis(100));
        lab = Lab.start(options);
        lab.awaitReady(Duration.ofSeconds(60));
        discovered = tmp.resolve("discovered.json");
        CliRun run = CliRun.metal(discovered, "import", lab.rackCsv().toString());
        assertEquals(0, run.exitCode, run.toString());
        run = CliRun.metal(discovered, "discover", "--leases", lab.leases().toString(), "--port",
                Integer.toString(lab.bmcPort()));
        assertEquals(0, run.exitCode, run.toString());
        try (Store store = open(discovered)) {
            before = Snapshot.of(store);
        }
        byte[] header = new byte[16];
        try (java.io.InputStream in = Files.newInputStream(discovered)) {
            assertEquals(16, in.readNBytes(header, 0, 16));
        }
        assertEquals("SQLite format 3\0", new String(header, StandardCharsets.US_ASCII), "the default engine is SQLite");
        assertEquals(HOSTS, before.hosts.size());
        for (Host h : before.hosts.values()) {
            assertEquals(HostState.DISCOVERED, h.state(), h.hostname());
            assertNull(h.inventory(), h.hostname());
        }
    }

    @AfterAll
    static void stopLab() {
        if (lab != null) lab.close();
    }

    @Test
    void killNineAnywhereInAScrapeLeavesNoneOrEveryHostInventoried() throws Exception {
        // After the result: every inventory is there. This scrape is the one the others are compared with.
        Kill result = new Kill("after the result", line -> line.contains(HOSTS + " ok, 0 failed"), 1, HOSTS);
        List<Kill> kills = new ArrayList<>(List.of(result,
                // While the BMCs are read: nothing is stored yet, unless a loaded machine let the whole
                // scrape finish before the kill landed (then all of it is).
                new Kill("as the first BMC is read", line -> line.contains("reading the BMC"), 1, null),
                // Inside the one transaction that stores the inventories: after its first host, and half of them.
                new Kill("first inventory stored", line -> line.contains("inventory stored"), 1, null),
                new Kill("half the inventories stored", line -> line.contains("inventory stored"), HOSTS / 2, null)));
        Map<String, String> outcomes = new LinkedHashMap<>();
        int sawNone = 0;
        int sawAll = 0;
        long scrapeMillis = 0;
        for (int i = 0; i < kills.size(); i++) {
            Kill kill = kills.get(i);
            Path state = copy();
            Kill.Outcome outcome = kill.run(state);
            int inventoried;
            Snapshot killed;
            try (Store store = open(state)) {
                inventoried = assertConsistent(store, before, "killed " + kill.name);
                killed = Snapshot.of(store);
            }
            outcomes.put(kill.name, (outcome.alive() ? "" : "(exited first) ") + inventoried + " inventoried");
            assertTrue(inventoried == 0 || inventoried == HOSTS, "killed " + kill.name + ": " + inventoried
                    + " of " + HOSTS + " hosts inventoried; scrape stores all of them or none");
            if (kill.expected != null) assertEquals(kill.expected, inventoried, "killed " + kill.name + " (" + outcomes + ")");
            if (inventoried == 0) sawNone++;
            else sawAll++;
            if (kill == result) {
                // The reference: what a whole scrape stores, as the lab's servers are.
                scraped = killed.hosts;
                for (Lab.Server server : lab.servers()) assertLike(server, scraped.get(server.hostname));
                // Kills at moments in time: while the BMCs are read, and as the inventories are stored.
                scrapeMillis = outcome.millis();
                for (double f : new double[] {0.5, 1.0}) {
                    long ms = Math.round(f * outcome.storing());
                    kills.add(new Kill("after " + ms + " ms", null, ms, null));
                }
            }

            // The scrape after the kill finishes, and every host is inventoried.
            CliRun again = CliRun.metal(state, "scrape", "--all");
            assertEquals(0, again.exitCode, "scrape after a kill " + kill.name + ": " + again);
            assertTrue(again.out.contains(HOSTS + " ok, 0 failed"), again.out);
            try (Store store = open(state)) {
                assertEquals(HOSTS, assertConsistent(store, killed, "scraped again after a kill " + kill.name));
            }
        }
        System.out.println("scrape of " + HOSTS + " hosts: " + scrapeMillis + " ms to its result; kills: " + outcomes);
        assertTrue(sawNone > 0 && sawAll > 0, outcomes.toString());
    }

    /** The host's inventory is what its lab server is: model, serial, CPUs, DIMMs, drives and NICs. */
    private static void assertLike(Lab.Server server, Host host) {
        assertNotNull(host.inventory(), server.hostname);
        assertEquals(1, host.inventory().systems().size(), server.hostname);
        Inventory.SystemInfo s = host.inventory().systems().get(0);
        ServerModel m = server.model;
        assertEquals(m.model(), s.model(), server.hostname);
        assertEquals(server.serial(), s.serial(), server.hostname);
        assertEquals(m.sockets(), s.cpus().size(), server.hostname);
        assertEquals(m.dimmSlots().size(), s.dimms().stream().filter(Inventory.Dimm::populated).count(), server.hostname);
        assertEquals(m.drives().size(), s.drives().size(), server.hostname);
        assertEquals(m.adapters().stream().mapToInt(ServerModel.Adapter::ports).sum(), s.nics().size(), server.hostname);
    }

    /**
     * A kill -9 of one scrape: when the {@code count}th line of its output matches {@code at}
     * (at once), or {@code count} ms after it starts when {@code at} is null. {@code expected}:
     * how many hosts it must leave inventoried (null: none or all).
     */
    private record Kill(String name, Predicate<String> at, long count, Integer expected) {
        /** @param storing ms from the start to the first inventory stored (0: not seen) */
        record Outcome(boolean alive, long millis, long storing) {}

        Outcome run(Path state) throws Exception {
            long start = System.nanoTime();
            Process p = StateStoreProcessTest.metal(state.toString(), "scrape", "--all").start();
            StringBuilder output = new StringBuilder();
            long storing = 0;
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                if (at == null) {
                    Thread.sleep(count);
                } else {
                    int seen = 0;
                    String line;
                    while ((line = lines.readLine()) != null) {
                        output.append(line).append('\n');
                        if (storing == 0 && line.contains("inventory stored")) {
                            storing = (System.nanoTime() - start) / 1_000_000;
                        }
                        if (at.test(line) && ++seen >= count) break;
                    }
                    assertTrue(line != null, name + ": the scrape ended before that line:\n" + output);
                }
                boolean alive = p.isAlive();
                long millis = (System.nanoTime() - start) / 1_000_000;
                p.destroyForcibly();
                assertTrue(p.waitFor(30, TimeUnit.SECONDS), name);
                return new Outcome(alive, millis, storing);
            }
        }
    }

    /** The hosts and journal of a state, to compare a later state with. */
    private record Snapshot(Map<String, Host> hosts, List<JournalEntry> journal) {
        static Snapshot of(Store store) {
            return new Snapshot(ScrapeKillTest.hosts(store), store.journal(JournalQuery.all()));
        }
    }

    /**
     * Every host as it was in {@code base}, or scraped in full: the inventory an uninterrupted
     * scrape read from its BMC, the one before kept as the previous, the state inventoried, and
     * nothing else changed; one journal entry per scraped host and no other. Returns how many
     * hosts were scraped since {@code base}.
     */
    private static int assertConsistent(Store store, Snapshot base, String when) {
        Snapshot now = Snapshot.of(store);
        assertEquals(base.hosts.keySet(), now.hosts.keySet(), when);
        Set<String> changed = new TreeSet<>();
        for (Host h : now.hosts.values()) {
            Host old = base.hosts.get(h.hostname());
            if (h.equals(old)) continue;
            String what = when + ": " + h.hostname();
            changed.add(h.hostname());
            assertNotNull(h.inventory(), what + " changed without an inventory");
            assertEquals(HostState.INVENTORIED, h.state(), what);
            assertEquals("scraped", h.stateReason(), what);
            assertEquals(old.inventory(), h.previousInventory(), what + ": the inventory before is kept as the previous");
            if (scraped != null) {
                Host full = scraped.get(h.hostname());
                assertEquals(full.inventory().systems(), h.inventory().systems(), what);
                assertEquals(full.inventory().bmc(), h.inventory().bmc(), what);
                assertEquals(full.inventory().warnings(), h.inventory().warnings(), what);
                assertEquals(full.bmc(), h.bmc(), what);
            }
            Host expected = new Host(old.hostname(), old.rack(), old.u(), h.bmc(), old.mgmtMac(), old.serial(), old.tags(),
                    h.state(), h.stateReason(), h.stateSince(), h.inventory(), old.inventory(), old.match(), old.addresses(),
                    old.provisioning());
            assertEquals(expected, h, what + " changed beyond its inventory and state");
        }
        assertTrue(now.journal.size() >= base.journal.size(), when + ": journal entries lost");
        assertEquals(base.journal, now.journal.subList(0, base.journal.size()), when + ": the journal before is kept");
        List<JournalEntry> added = now.journal.subList(base.journal.size(), now.journal.size());
        List<String> journaled = new ArrayList<>();
        for (JournalEntry e : added) {
            assertEquals("inventoried", e.event(), when + ": " + e);
            assertEquals("scrape", e.command(), when + ": " + e);
            journaled.add(e.host());
        }
        Collections.sort(journaled);
        assertEquals(new ArrayList<>(changed), journaled, when + ": one journal entry per scraped host");
        return changed.size();
    }

    private static Map<String, Host> hosts(Store store) {
        Map<String, Host> hosts = new LinkedHashMap<>();
        for (Host h : store.hosts(HostQuery.all().withInventories())) hosts.put(h.hostname(), h);
        return hosts;
    }

    private static Store open(Path state) {
        return Stores.open(state.toString(), "test", Clock.systemUTC());
    }

    /** A fresh copy of the discovered state (closed, so it is one file). */
    private static Path copy() throws Exception {
        Path state = tmp.resolve("state" + ++runs + ".json");
        Files.copy(discovered, state, StandardCopyOption.COPY_ATTRIBUTES);
        for (String suffix : new String[] {"-wal", "-shm", "-journal"}) {
            assertTrue(Files.notExists(discovered.resolveSibling(discovered.getFileName() + suffix)), suffix);
        }
        return state;
    }
}

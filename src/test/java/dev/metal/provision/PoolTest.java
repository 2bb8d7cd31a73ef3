package dev.metal.provision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.metal.bmc.PowerState;
import dev.metal.cli.CliRun;
import dev.metal.lab.DirectBmcs;
import dev.metal.lab.Machine;
import dev.metal.model.HostState;
import dev.metal.state.JournalEntry;
import dev.metal.state.JournalQuery;
import dev.metal.util.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** metal pool and metal host quarantine|release through the real command line. */
class PoolTest {
    @TempDir
    Path dir;
    Fleet fleet;

    @BeforeEach
    void fleet() throws Exception {
        fleet = new Fleet(dir);
    }

    @Test
    void quarantineAndReleaseMoveTheHostAndAreJournaled() {
        fleet.host("web-01", "r1", 1, "web", 1);
        CliRun missingReason = fleet.metal("host", "quarantine", "web-01");
        assertEquals(2, missingReason.exitCode, missingReason.toString());

        CliRun q = fleet.metal("host", "quarantine", "web-01", "--reason", "fan noise");
        assertEquals(0, q.exitCode, q.toString());
        assertEquals(HostState.QUARANTINED, fleet.get("web-01").state());
        assertEquals("fan noise", fleet.get("web-01").stateReason());
        assertEquals(2, fleet.metal("host", "quarantine", "web-01", "--reason", "again").exitCode);

        // A quarantined host is never chosen.
        CliRun plan = fleet.metal("provision", "--profile", "web", "--os", "debian-12", "--dry-run");
        assertEquals(2, plan.exitCode, plan.toString());

        CliRun r = fleet.metal("host", "release", "web-01", "--reason", "fan replaced");
        assertEquals(0, r.exitCode, r.toString());
        assertTrue(r.out.contains("now ready"), r.out);
        assertEquals(HostState.READY, fleet.get("web-01").state());
        assertEquals(2, fleet.metal("host", "release", "web-01", "--reason", "x").exitCode);
        List<String> events = fleet.store.journal(JournalQuery.all()).stream().filter(e -> "web-01".equals(e.host()))
                .map(JournalEntry::event).toList();
        assertTrue(events.containsAll(List.of("quarantined", "released")), events.toString());
        assertEquals(2, fleet.metal("host", "quarantine", "nobody", "--reason", "x").exitCode);
    }

    @Test
    void statusTargetAndWarm() throws Exception {
        fleet.host("web-01", "r1", 1, "web", 1).host("web-02", "r1", 2, "web", 2)
                .host("web-03", "r2", 1, "web", 3, EnumSet.noneOf(Machine.Fault.class), DirectBmcs.Fault.UNREACHABLE)
                .host("db-01", "r2", 2, "db", 4);
        // A host whose match failed keeps a match that names no profile; it is in no pool.
        fleet.store.update(tx -> {
            tx.put(tx.host("db-01").withMatch(new dev.metal.model.ProfileMatch(null, null, null, null, null)),
                    "match-failed");
            return null;
        });
        assertEquals(0, fleet.metal("pool", "target", "web", "3").exitCode);
        CliRun status = fleet.metal("--json", "pool", "status");
        assertEquals(0, status.exitCode, status.toString());
        JsonNode web = find(Json.mapper().readTree(status.out).get("pools"), "web");
        assertEquals(3, web.get("ready").asInt());
        assertEquals(3, web.get("target").asInt());
        assertEquals(0, web.get("missing").asInt());
        assertEquals(1, Json.mapper().readTree(status.out).get("pools").size(), "only web, the failed host is in no pool: " + status.out);

        CliRun warm = fleet.metal("pool", "warm");
        assertEquals(3, warm.exitCode, warm.toString());
        assertTrue(warm.out.contains("web-01  web      powered on"), warm.out);
        assertTrue(warm.out.contains("web-03  web      quarantined  BMC: web-03: BMC"), warm.out);
        assertEquals(PowerState.ON, fleet.bmcs.machine("web-01").powerState());
        assertEquals(PowerState.OFF, fleet.bmcs.machine("db-01").powerState(), "no target, not warmed");
        assertEquals(HostState.QUARANTINED, fleet.get("web-03").state());

        CliRun after = fleet.metal("pool", "status");
        assertTrue(after.out.contains("web      2      3       1        0             0       1"), after.out);
    }

    @Test
    void forecastSmoothsDemandPerPeriod() {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        List<JournalEntry> journal = new ArrayList<>();
        int[] perDay = {4, 0, 2, 6};
        for (int day = 0; day < perDay.length; day++) {
            Instant asked = t0.plus(Duration.ofDays(day));
            String request = "p-" + day;
            for (int i = 0; i < perDay[day]; i++) {
                journal.add(new JournalEntry(asked.plusSeconds(i), "provision", "h" + i,
                        "provision-claimed", Map.of("request", request, "profile", "web", "attempt", 1)));
                // Counted in the period it was asked for, even when it ends in the next.
                journal.add(new JournalEntry(asked.plus(Duration.ofHours(23)).plusSeconds(600 + i), "provision",
                        "h" + i, "provisioned", Map.of("request", request, "attempt", 1)));
            }
        }
        // Only completed provisions are demand: not a host that failed (its retry on
        // another host is what completes), nor a run interrupted or refused.
        journal.add(new JournalEntry(t0.plusSeconds(60), "provision", "x", "provision-claimed",
                Map.of("request", "p-0", "profile", "web", "attempt", 1)));
        journal.add(new JournalEntry(t0.plusSeconds(90), "provision", "x", "provision-failed",
                Map.of("request", "p-0", "reason", "no phone-home")));
        journal.add(new JournalEntry(t0.plusSeconds(120), "provision", "y", "provision-claimed",
                Map.of("request", "p-9", "profile", "web", "attempt", 1)));
        var f = PoolService.forecast(fleet.store, journal, 0.5, Duration.ofDays(1),
                t0.plus(Duration.ofDays(3)).plusSeconds(3600));
        assertEquals(1, f.size());
        assertEquals(List.of(4, 0, 2, 6), f.get(0).history());
        // s: 4, 2, 2, 4
        assertEquals(4.0, f.get(0).forecast());
        assertEquals(4, f.get(0).needed());
        var slow = PoolService.forecast(fleet.store, journal, 0.2, Duration.ofDays(1),
                t0.plus(Duration.ofDays(3)));
        // s: 4, 3.2, 2.96, 3.568
        assertEquals(3.57, slow.get(0).forecast());
        assertEquals(4, slow.get(0).needed());
    }

    @Test
    void forecastCommandReadsTheJournalOfRealProvisions() throws Exception {
        fleet.host("web-01", "r1", 1, "web", 1).host("web-02", "r2", 1, "web", 2);
        CliRun p = fleet.metal(fleet.args("provision", "--profile", "web", "--count", "2",
                "--os", "debian-12", "--timeout", "20s"));
        assertEquals(0, p.exitCode, p.toString());
        CliRun f = fleet.metal("--json", "pool", "forecast", "--alpha", "0.3", "--period", "1h");
        assertEquals(0, f.exitCode, f.toString());
        JsonNode web = find(Json.mapper().readTree(f.out).get("pools"), "web");
        assertEquals(2.0, web.get("forecast").asDouble());
        assertEquals(2, web.get("needed").asInt());
        assertEquals(2, fleet.metal("pool", "forecast", "--alpha", "1.5").exitCode);
    }

    private static JsonNode find(JsonNode array, String profile) {
        for (JsonNode n : array) if (n.get("profile").asText().equals(profile)) return n;
        throw new AssertionError("no " + profile + " in " + array);
    }
}

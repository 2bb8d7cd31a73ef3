package dev.metal.provision;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.metal.model.Bmc;
import dev.metal.model.Host;
import dev.metal.model.HostState;
import dev.metal.model.ProfileMatch;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlacementTest {
    static Host host(String name, String rack, int u, String profile, HostState state) {
        Instant now = Instant.EPOCH;
        Host h = Host.imported(name, rack, u, new Bmc(null, "10.0.0.1", "admin", null, 623, null),
                        "52:54:00:00:00:01", null, List.of(), now)
                .moveTo(HostState.DISCOVERED, null, now).moveTo(HostState.INVENTORIED, null, now)
                .withMatch(new ProfileMatch(profile, Map.of(), Map.of(), null, "test"))
                .withAddresses(Map.of("rack", rack))
                .moveTo(HostState.READY, null, now);
        return state == HostState.READY ? h : h.moveTo(HostState.PROVISIONING, null, now).moveTo(state, null, now);
    }

    static List<String> names(List<Placement.Choice> c) {
        return c.stream().map(Placement.Choice::hostname).toList();
    }

    @Test
    void aHostTheSitePlanHasNotPlacedIsNotChosen() {
        Host placed = host("a1", "A", 1, "web", HostState.READY);
        Host outside = host("z1", "Z", 1, "web", HostState.READY).withAddresses(Map.of());
        assertEquals(List.of("a1"), names(Placement.choose(List.of(outside, placed), "web", 2, 0, Map.of())));
    }

    @Test
    void spreadsAcrossRacksAndAvoidsRacksAlreadyFullOfTheProfile() {
        List<Host> hosts = new ArrayList<>();
        for (int i = 1; i <= 4; i++) hosts.add(host("a" + i, "A", i, "web", HostState.READY));
        for (int i = 1; i <= 2; i++) hosts.add(host("b" + i, "B", i, "web", HostState.READY));
        hosts.add(host("c1", "C", 1, "web", HostState.READY));
        hosts.add(host("c9", "C", 9, "web", HostState.ACTIVE));
        hosts.add(host("d1", "D", 1, "db", HostState.READY));

        // A and B have none in service, C has one: A (most ready) then B, then C, then back to A.
        assertEquals(List.of("a1", "b1", "c1", "a2", "b2", "a3"), names(Placement.choose(hosts, "web", 6, 0, Map.of())));
        assertEquals(List.of("a1", "b1", "c1", "a2", "b2"), names(Placement.choose(hosts, "web", 6, 2, Map.of())));
        // A retry spreads relative to what the request holds already.
        assertEquals(List.of("b1"), names(Placement.choose(hosts, "web", 1, 0, Map.of("A", 1, "C", 1))));
        assertEquals(List.of(), names(Placement.choose(hosts, "gpu", 1, 0, Map.of())));
    }
}

package dev.metal.redfish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.metal.lab.Fleet;
import dev.metal.lab.RedfishEmulator;
import dev.metal.model.Inventory;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The walk: $expand when offered (fewer requests, same inventory), one by one when not. */
class WalkTest {
    private static Inventory walk(RedfishEmulator emu, List<String> requests) {
        emu.recordRequests();
        try (RedfishClient c = new RedfishClient("h", emu.baseUri(), "admin", "password", null,
                RedfishClient.Options.defaults())) {
            c.login();
            Inventory inv = InventoryMapper.map(Walk.run(c), Instant.EPOCH);
            requests.addAll(emu.recordedRequests());
            return inv;
        }
    }

    @Test
    void expandGivesTheSameInventoryInFewerRequests() {
        for (String mockup : List.of("dmtf-public-localstorage", "dmtf-public-tower", "hpe-dl360-ilo")) {
            try (RedfishEmulator emu = RedfishEmulator.serve(Fleet.mockup(mockup))) {
                List<String> expanded = new java.util.ArrayList<>();
                Inventory a = walk(emu, expanded);
                ObjectNode root = emu.resource("/redfish/v1");
                ((ObjectNode) root.path("ProtocolFeaturesSupported")).remove("ExpandQuery");
                emu.put("/redfish/v1", root);
                List<String> plain = new java.util.ArrayList<>();
                Inventory b = walk(emu, plain);
                assertEquals(a.systems(), b.systems(), mockup);
                assertEquals(a.bmc(), b.bmc(), mockup);
                assertTrue(expanded.size() < plain.size(), mockup + ": " + expanded.size() + " vs " + plain.size()
                        + "\n" + String.join("\n", expanded));
                assertTrue(expanded.stream().noneMatch(r -> r.toLowerCase().contains("logservices")), expanded.toString());
            }
        }
    }

    @Test
    void refusedExpandFallsBackToSingleReads() {
        try (RedfishEmulator emu = RedfishEmulator.serve(Fleet.mockup("dmtf-public-tower"))) {
            Inventory expected = walk(emu, new java.util.ArrayList<>());
            emu.refuseExpand(true);
            List<String> requests = new java.util.ArrayList<>();
            Inventory again = walk(emu, requests);
            assertEquals(expected.systems(), again.systems());
            assertTrue(again.warnings().stream().anyMatch(w -> w.contains("$expand refused (400)")), again.warnings().toString());
            // Asked at most once per worker (they start together), then never again.
            assertTrue(requests.stream().filter(r -> r.contains("$expand")).count() <= 2, requests.toString());
        }
    }

    /**
     * A slow expanded answer still on its way holds what the fast ones link to: those resources
     * wait for it instead of being read a second time (as they were on a busy fleet scrape).
     */
    @Test
    void expandedWalkReadsNothingTwice() {
        for (String mockup : List.of("dmtf-public-localstorage", "dmtf-public-tower", "dmtf-public-rackmount1")) {
            java.util.Map<String, Long> latency = new java.util.HashMap<>();
            // The systems answer links drives that the slow chassis answer brings along.
            latency.put("/redfish/v1/Chassis", 300L);
            try (RedfishEmulator emu = RedfishEmulator.builder().mockup(Fleet.mockup(mockup)).latency(latency)
                    .latencyMs(5).build()) {
                List<String> requests = new java.util.ArrayList<>();
                walk(emu, requests);
                List<String> paths = requests.stream().filter(r -> r.startsWith("GET "))
                        .map(r -> r.substring(4).replaceAll("\\?.*", "").toLowerCase()).toList();
                assertEquals(paths.size(), new java.util.HashSet<>(paths).size(), mockup + ":\n"
                        + String.join("\n", requests));
                // What the expanded answers held, asked again after the walk.
                java.util.Set<String> inside = new java.util.HashSet<>();
                try (RedfishClient c = new RedfishClient("h", emu.baseUri(), "admin", "password", null,
                        RedfishClient.Options.defaults())) {
                    c.login();
                    for (String r : requests) {
                        if (r.contains("$expand")) held(c.get(r.substring(4)), inside, true);
                    }
                }
                assertTrue(inside.size() > 10, mockup + ": " + inside);
                for (String p : paths) {
                    assertTrue(!inside.contains(p), mockup + ": " + p + " read alone and inside an expanded answer:\n"
                            + String.join("\n", requests));
                }
            }
        }
    }


    /** The service root needs no login: it is read while the login is on its way, not after it. */
    @Test
    void serviceRootIsReadAlongsideTheLogin() {
        try (RedfishEmulator emu = RedfishEmulator.serve(Fleet.mockup("dmtf-public-tower"))) {
            emu.recordRequests();
            RedfishClient c = new RedfishClient("h", emu.baseUri(), "admin", "wrong", null,
                    RedfishClient.Options.defaults());
            try (c) {
                RedfishException e = org.junit.jupiter.api.Assertions.assertThrows(RedfishException.class,
                        () -> Walk.loginAndRun(c));
                assertTrue(e.getMessage().contains("refused the login"), e.getMessage());
            }
            // Sequential code would never have asked for the root after a refused login; after the refused
            // session, Basic auth is tried once on the systems collection.
            assertEquals(List.of("GET /redfish/v1", "GET /redfish/v1/Systems", "POST /redfish/v1/SessionService/Sessions"),
                    emu.recordedRequests().stream().sorted().toList());
        }
    }
    /** The resources (objects with more than an @odata.id) inside an answer, by lower-case path. */
    private static void held(com.fasterxml.jackson.databind.JsonNode node, java.util.Set<String> out, boolean top) {
        if (node.isObject() && !top && node.has("@odata.id") && node.size() > 1) {
            out.add(node.get("@odata.id").asText().toLowerCase());
        }
        if (node.isContainerNode()) node.forEach(n -> held(n, out, false));
    }

    @Test
    void anInterfaceWithoutIdIsStillMapped() {
        try (RedfishEmulator emu = RedfishEmulator.serve(Fleet.mockup("dmtf-public-tower"))) {
            Inventory expected = walk(emu, new java.util.ArrayList<>());
            for (String uri : List.of("/redfish/v1/Managers/BMC/EthernetInterfaces/Dedicated",
                    "/redfish/v1/Systems/437XR1238R2/EthernetInterfaces/Network1")) {
                ObjectNode nic = emu.resource(uri);
                nic.remove("Id");
                emu.put(uri, nic);
            }
            Inventory again = walk(emu, new java.util.ArrayList<>());
            assertEquals(expected.bmc(), again.bmc());
            // Without its Id the interface is named by its Name, but it is still there with its MAC.
            assertEquals(expected.systems().get(0).nics().stream().map(Inventory.Nic::mac).toList(),
                    again.systems().get(0).nics().stream().map(Inventory.Nic::mac).toList());
        }
    }
}

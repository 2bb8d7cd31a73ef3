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
}

package dev.metal.redfish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.metal.lab.Fleet;
import dev.metal.lab.RedfishEmulator;
import dev.metal.model.Bmc;
import dev.metal.model.Host;
import dev.metal.model.Inventory;
import dev.metal.model.Secret;
import dev.metal.util.Log;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Any field of any resource may be missing, null, of the wrong type or repeated, and a member may
 * lack its @odata.id: a seeded property test over every shared capture, mapped in process many
 * times and scraped over HTTP a few times, always gives an inventory with warnings (or, when the
 * service root itself is broken, one clear error), never an exception.
 */
class MutatedCaptureTest {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final long SEED = Long.getLong("metal.seed", 20261207L);
    private static final int IN_PROCESS = 300;
    private static final int OVER_HTTP = 3;

    private static List<Path> captures() throws Exception {
        try (Stream<Path> s = Files.list(Fleet.mockups())) {
            return s.filter(Files::isDirectory).sorted().toList();
        }
    }

    /** The tree in a stable order; its resources are the original ones until {@link #mutate} copies one to change it. */
    private static Map<String, ObjectNode> copy(Map<String, ObjectNode> tree) {
        Map<String, ObjectNode> out = new LinkedHashMap<>();
        tree.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /** Changes 1 to 8 places of the tree at random; returns what was done, for the failure message. */
    static List<String> mutate(Map<String, ObjectNode> tree, Random random) {
        List<String> done = new ArrayList<>();
        List<String> uris = new ArrayList<>(tree.keySet());
        java.util.Set<String> copied = new java.util.HashSet<>();
        int n = 1 + random.nextInt(8);
        for (int i = 0; i < n; i++) {
            String uri = uris.get(random.nextInt(uris.size()));
            if (copied.add(uri)) tree.put(uri, tree.get(uri).deepCopy());
            List<Object[]> slots = new ArrayList<>();
            slots(tree.get(uri), slots);
            if (slots.isEmpty()) continue;
            Object[] slot = slots.get(random.nextInt(slots.size()));
            done.add(uri + " " + change(slot, random));
        }
        return done;
    }

    /** Every (container, field name or index) in a resource. */
    private static void slots(JsonNode node, List<Object[]> out) {
        if (node.isObject()) {
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                out.add(new Object[] {node, name});
                slots(node.get(name), out);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                out.add(new Object[] {node, i});
                slots(node.get(i), out);
            }
        }
    }

    private static String change(Object[] slot, Random random) {
        JsonNode parent = (JsonNode) slot[0];
        int how = random.nextInt(7);
        if (parent instanceof ObjectNode o) {
            String name = (String) slot[1];
            JsonNode old = o.get(name);
            switch (how) {
                case 0 -> o.remove(name);
                case 1 -> o.putNull(name);
                case 2 -> o.put(name, random.nextInt(1000) - 500);
                case 3 -> o.put(name, old == null ? "x" : old.toString());
                case 4 -> o.set(name, F.arrayNode().add(old == null ? F.nullNode() : old.deepCopy()));
                case 5 -> o.set(name, F.objectNode().set("@odata.id", F.numberNode(7)));
                default -> o.put(name, random.nextBoolean() ? "" : "  n/a  ");
            }
            return how + " " + name;
        }
        ArrayNode a = (ArrayNode) parent;
        int index = (Integer) slot[1];
        JsonNode old = a.get(index);
        switch (how) {
            case 0 -> a.remove(index);
            case 1 -> a.set(index, F.nullNode());
            case 2 -> a.add(old.deepCopy()); // repeated
            case 3 -> {
                if (old instanceof ObjectNode member) member.remove("@odata.id"); // a member without @odata.id
            }
            case 4 -> a.set(index, F.textNode(old.asText("x")));
            case 5 -> a.set(index, F.objectNode());
            default -> a.set(index, F.arrayNode());
        }
        return how + " [" + index + "]";
    }

    private static void assertSane(Inventory inv, String what) {
        assertNotNull(inv, what);
        for (String w : inv.warnings()) {
            assertFalse(w.contains("internal error") || w.contains("Exception"), what + ": " + w);
        }
    }

    @Test
    void mutatedCapturesMapToAnInventoryWithWarnings() throws Exception {
        Random random = new Random(SEED);
        int mapped = 0;
        for (Path capture : captures()) {
            Map<String, ObjectNode> original = RedfishEmulator.readMockup(capture);
            for (int i = 0; i < IN_PROCESS; i++) {
                Map<String, ObjectNode> tree = copy(original);
                List<String> done = mutate(tree, random);
                String what = capture.getFileName() + " seed " + SEED + " #" + i + " " + done;
                Map<String, JsonNode> resources = new LinkedHashMap<>(tree);
                Inventory inv;
                try {
                    inv = InventoryMapper.map(new Walk.Result(resources, List.of(), 1), Instant.EPOCH);
                } catch (RuntimeException e) {
                    throw new AssertionError(what, e);
                }
                assertSane(inv, what);
                mapped++;
            }
        }
        assertEquals(IN_PROCESS * captures().size(), mapped);
    }

    @Test
    void mutatedCapturesScrapeOverHttpToAnInventoryOrOneClearError() throws Exception {
        Random random = new Random(SEED + 1);
        for (Path capture : captures()) {
            Map<String, ObjectNode> original = RedfishEmulator.readMockup(capture);
            for (int i = 0; i < OVER_HTTP; i++) {
                Map<String, ObjectNode> tree = copy(original);
                List<String> done = mutate(tree, random);
                String what = capture.getFileName() + " seed " + SEED + " #" + i + " " + done;
                try (RedfishEmulator emu = RedfishEmulator.builder().resources(tree).build()) {
                    Scraper.Outcome o = scrape(emu.address(), new StringWriter());
                    if (o.ok()) {
                        assertSane(o.inventory(), what);
                    } else {
                        assertTrue(o.error().startsWith("h1: "), what + ": " + o.error());
                        assertFalse(o.error().contains("Exception"), what + ": " + o.error());
                    }
                    assertEquals(0, emu.openSessions(), what + ": the session is deleted");
                }
            }
        }
    }

    private static Scraper.Outcome scrape(String address, StringWriter log) {
        Host h = Host.imported("h1", "r1", 1, new Bmc("02:00:00:00:00:01", address, "admin", Secret.of("password"), 623,
                null), "02:00:00:01:00:01", null, List.of(), Instant.EPOCH);
        RedfishClient.Options options = RedfishClient.Options.defaults().withReadTimeout(Duration.ofSeconds(10))
                .withLog(new Log(new PrintWriter(log, true), false));
        return new Scraper(options, 1, false, Clock.systemUTC()).one(h);
    }

    /** The crash seen on a capture never met before: members without @odata.id, in a collection of drives. */
    @Test
    void membersWithoutOdataIdAreWarningsNamingHostAndResource() throws Exception {
        Map<String, ObjectNode> tree = new LinkedHashMap<>(RedfishEmulator.readMockup(Fleet.mockup("hpe-dl360-ilo")));
        String drives = null;
        for (Map.Entry<String, ObjectNode> e : tree.entrySet()) {
            if (e.getKey().endsWith("/drives") && e.getValue().path("Members").size() > 0) drives = e.getKey();
        }
        assertNotNull(drives);
        ArrayNode members = (ArrayNode) tree.get(drives).get("Members");
        ((ObjectNode) members.get(0)).remove("@odata.id");
        members.add(F.objectNode());
        ((ObjectNode) tree.get("/redfish/v1/systems").withArray("Members").addObject()).put("Name", "no link");
        StringWriter log = new StringWriter();
        try (RedfishEmulator emu = RedfishEmulator.builder().resources(tree).build()) {
            Scraper.Outcome o = scrape(emu.address(), log);
            assertTrue(o.ok(), o.error());
            List<String> warnings = o.inventory().warnings();
            String drivesPath = tree.get(drives).path("@odata.id").asText();
            assertTrue(warnings.stream().anyMatch(w -> w.startsWith(drivesPath + ": Members[0] has no @odata.id")),
                    warnings.toString());
            assertTrue(warnings.stream().anyMatch(w -> w.startsWith("/redfish/v1/Systems: Members[")), warnings.toString());
            assertSane(o.inventory(), "hpe-dl360-ilo");
            assertEquals(1, o.inventory().systems().size(), "the member without a link is not a system");
        }
        assertTrue(log.toString().contains("h1: " + tree.get(drives).path("@odata.id").asText() + ": Members[0]"),
                "the log names the host: " + log);
    }

    /** An iLO that lists its drives only in HPE's SmartStorage view (no Storage, no Chassis drives) loses none. */
    @Test
    void drivesOnlyInHpeSmartStorageAreFound() throws Exception {
        Map<String, ObjectNode> tree = new LinkedHashMap<>(RedfishEmulator.readMockup(Fleet.mockup("hpe-dl360-ilo")));
        List<Inventory.Drive> before;
        try (RedfishEmulator emu = RedfishEmulator.builder().resources(tree).build()) {
            Scraper.Outcome o = scrape(emu.address(), new StringWriter());
            assertTrue(o.ok(), o.error());
            before = o.inventory().systems().get(0).drives();
        }
        ObjectNode system = tree.get("/redfish/v1/systems/1").deepCopy();
        system.remove("Storage");
        tree.put("/redfish/v1/systems/1", system);
        for (String uri : List.of("/redfish/v1/chassis/1", "/redfish/v1/chassis/de00a000")) {
            ObjectNode chassis = tree.get(uri).deepCopy();
            chassis.remove("Drives");
            if (chassis.path("Links").isObject()) ((ObjectNode) chassis.path("Links")).remove("Drives");
            tree.put(uri, chassis);
        }
        try (RedfishEmulator emu = RedfishEmulator.builder().resources(tree).build()) {
            Scraper.Outcome o = scrape(emu.address(), new StringWriter());
            assertTrue(o.ok(), o.error());
            List<Inventory.Drive> drives = o.inventory().systems().get(0).drives();
            assertEquals(before.stream().map(Inventory.Drive::serial).sorted().toList(),
                    drives.stream().map(Inventory.Drive::serial).sorted().toList());
            Inventory.Drive d = drives.stream().filter(x -> "S521NA0T605357".equals(x.serial())).findFirst().orElseThrow();
            assertEquals("MK000480GWSSC", d.model());
            assertEquals("SATA", d.protocol());
            assertEquals("SSD", d.media());
            assertEquals(before.stream().filter(x -> "S521NA0T605357".equals(x.serial())).findFirst().orElseThrow().bay(),
                    d.bay(), "named as the standard view names it");
            assertEquals("Slot=12:Port=2I:Box=1:Bay=1", d.bay());
            assertEquals(457862L * 1024 * 1024, d.capacityBytes());
            assertEquals("ata-MK000480GWSSC_S521NA0T605357", d.byIdPath());
        }
    }
}

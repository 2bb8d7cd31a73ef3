package dev.metal.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The emulator over real HTTP, with the JDK client: what a BMC does that metal relies on. */
class RedfishEmulatorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SYSTEM = "/redfish/v1/Systems/437XR1138R2";
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> send(RedfishEmulator emu, String method, String path, String body, String... headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(emu.address() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic() {
        return "Basic " + Base64.getEncoder().encodeToString("admin:password".getBytes());
    }

    private static RedfishEmulator rackmount() {
        return RedfishEmulator.serve(Fleet.mockup("dmtf-public-rackmount1"));
    }

    @Test
    void sessionsAreCountedLimitedAndDeleted() throws Exception {
        try (RedfishEmulator emu = rackmount()) {
            emu.maxSessions(2);
            String login = "{\"UserName\":\"admin\",\"Password\":\"password\"}";
            HttpResponse<String> a = send(emu, "POST", "/redfish/v1/SessionService/Sessions", login);
            HttpResponse<String> b = send(emu, "POST", "/redfish/v1/SessionService/Sessions/", login);
            assertEquals(201, a.statusCode());
            assertEquals(201, b.statusCode());
            assertEquals(503, send(emu, "POST", "/redfish/v1/SessionService/Sessions", login).statusCode());
            assertEquals(2, emu.openSessions());
            String token = a.headers().firstValue("X-Auth-Token").orElseThrow();
            String location = a.headers().firstValue("Location").orElseThrow();
            assertEquals(200, send(emu, "GET", SYSTEM, null, "X-Auth-Token", token).statusCode());
            assertEquals(204, send(emu, "DELETE", location, null, "X-Auth-Token", token).statusCode());
            assertEquals(401, send(emu, "GET", SYSTEM, null, "X-Auth-Token", token).statusCode(), "ended session");
            assertEquals(1, emu.openSessions());
            assertEquals(401, send(emu, "POST", "/redfish/v1/SessionService/Sessions",
                    "{\"UserName\":\"admin\",\"Password\":\"nope\"}").statusCode());
        }
    }

    @Test
    void basicAuthAndTheOpenServiceRoot() throws Exception {
        try (RedfishEmulator emu = rackmount()) {
            assertEquals(200, send(emu, "GET", "/redfish/v1/", null).statusCode());
            assertEquals(401, send(emu, "GET", SYSTEM, null).statusCode());
            assertEquals(200, send(emu, "GET", SYSTEM + "/", null, "Authorization", basic()).statusCode());
            assertEquals(404, send(emu, "GET", SYSTEM + "/Nothing", null, "Authorization", basic()).statusCode());
        }
    }

    @Test
    void expandReplacesLinksWithResources() throws Exception {
        try (RedfishEmulator emu = rackmount()) {
            JsonNode plain = JSON.readTree(send(emu, "GET", "/redfish/v1/Systems", null, "Authorization", basic()).body());
            assertEquals(1, plain.path("Members").get(0).size(), "a bare link");
            JsonNode one = JSON.readTree(send(emu, "GET", "/redfish/v1/Systems?$expand=.($levels=1)", null,
                    "Authorization", basic()).body());
            JsonNode sys = one.path("Members").get(0);
            assertEquals("437XR1138R2", sys.path("SerialNumber").asText());
            assertEquals(1, sys.path("Memory").size(), "one level only");
            JsonNode two = JSON.readTree(send(emu, "GET", "/redfish/v1/Systems?$expand=.($levels=3)", null,
                    "Authorization", basic()).body());
            assertEquals(4, two.path("Members").get(0).path("Memory").path("Members").size());
            assertTrue(two.path("Members").get(0).path("Memory").path("Members").get(0).has("CapacityMiB"));
            // "." leaves Links alone, "~" expands only them.
            assertEquals(1, two.path("Members").get(0).path("Links").path("Chassis").get(0).size());
            JsonNode links = JSON.readTree(send(emu, "GET", SYSTEM + "?$expand=~", null, "Authorization", basic()).body());
            assertTrue(links.path("Links").path("Chassis").get(0).size() > 1);
            assertEquals(1, links.path("Memory").size());
            // Without ExpandQuery in the service root, $expand is ignored as such BMCs do.
            var root = emu.resource("/redfish/v1");
            ((com.fasterxml.jackson.databind.node.ObjectNode) root.path("ProtocolFeaturesSupported")).remove("ExpandQuery");
            emu.put("/redfish/v1", root);
            JsonNode ignored = JSON.readTree(send(emu, "GET", "/redfish/v1/Systems?$expand=*", null,
                    "Authorization", basic()).body());
            assertEquals(1, ignored.path("Members").get(0).size());
        }
    }

    @Test
    void etagsAndIfMatchOnBootOverride() throws Exception {
        try (RedfishEmulator emu = rackmount()) {
            List<JsonNode> boots = new ArrayList<>();
            emu.addListener(new RedfishEmulator.Listener() {
                @Override
                public void onBoot(String systemUri, JsonNode boot) {
                    boots.add(boot);
                }
            });
            HttpResponse<String> get = send(emu, "GET", SYSTEM, null, "Authorization", basic());
            String etag = get.headers().firstValue("ETag").orElseThrow();
            String patch = "{\"Boot\":{\"BootSourceOverrideTarget\":\"Hdd\",\"BootSourceOverrideEnabled\":\"Continuous\"}}";
            assertEquals(412, send(emu, "PATCH", SYSTEM, patch, "Authorization", basic(), "If-Match", "W/\"stale\"")
                    .statusCode());
            emu.requireIfMatch(true);
            assertEquals(428, send(emu, "PATCH", SYSTEM, patch, "Authorization", basic()).statusCode());
            assertEquals(400, send(emu, "PATCH", SYSTEM, "{\"Boot\":{\"BootSourceOverrideTarget\":\"Floppy9\"}}",
                    "Authorization", basic(), "If-Match", etag).statusCode(), "not in AllowableValues");
            HttpResponse<String> ok = send(emu, "PATCH", SYSTEM, patch, "Authorization", basic(), "If-Match", etag);
            assertEquals(200, ok.statusCode(), ok.body());
            assertEquals("Hdd", emu.resource(SYSTEM).path("Boot").path("BootSourceOverrideTarget").asText());
            assertEquals("Continuous", emu.resource(SYSTEM).path("Boot").path("BootSourceOverrideEnabled").asText());
            assertTrue(!etag.equals(ok.headers().firstValue("ETag").orElseThrow()), "a change gives a new ETag");
            assertEquals(1, boots.size());
        }
    }

    @Test
    void resetChangesPowerStateWithinAllowableValues() throws Exception {
        try (RedfishEmulator emu = rackmount()) {
            List<String> events = new ArrayList<>();
            emu.addListener(new RedfishEmulator.Listener() {
                @Override
                public void onReset(String systemUri, String resetType, String powerState) {
                    events.add(resetType + "->" + powerState);
                }
            });
            String action = SYSTEM + "/Actions/ComputerSystem.Reset";
            assertEquals(204, send(emu, "POST", action, "{\"ResetType\":\"ForceOff\"}", "Authorization", basic())
                    .statusCode());
            assertEquals("Off", emu.resource(SYSTEM).path("PowerState").asText());
            assertEquals(400, send(emu, "POST", action, "{\"ResetType\":\"Explode\"}", "Authorization", basic())
                    .statusCode());
            assertEquals(204, send(emu, "POST", action, "{\"ResetType\":\"On\"}", "Authorization", basic()).statusCode());
            assertEquals("On", emu.resource(SYSTEM).path("PowerState").asText());
            assertEquals(List.of("ForceOff->Off", "On->On"), events);
        }
    }

    @Test
    void concurrencyLimitRejectsOrQueues() throws Exception {
        try (RedfishEmulator emu = RedfishEmulator.builder().mockup(Fleet.mockup("dmtf-public-rackmount1"))
                .latencyMs(300).maxConcurrent(1, RedfishEmulator.Overload.REJECT).build()) {
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                calls.add(http.sendAsync(HttpRequest.newBuilder(URI.create(emu.address() + "/redfish/v1")).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            List<Integer> codes = calls.stream().map(CompletableFuture::join).map(HttpResponse::statusCode).sorted().toList();
            assertEquals(200, codes.get(0));
            assertEquals(503, codes.get(2), codes.toString());
            assertEquals(1, emu.maxConcurrentSeen());
            assertEquals(3, emu.requests());
            assertTrue(emu.bytes() > 0);
        }
    }

    @Test
    void recordedLatencyComesFromTimeJson() {
        var times = RedfishEmulator.readTimes(Fleet.mockup("lenovo-sr650-xcc"));
        assertEquals(370L, times.get("/redfish/v1"), "lenovo-sr650-xcc/time.json says 0.37007283 s");
        assertNotNull(times.get("/redfish/v1/systems/1/memory/17"));
        assertEquals(1861L, times.get("/redfish/v1/systems/1/memory/17"));
    }

    /**
     * Answers are kept serialized between requests, and shared across a fleet built from one
     * tree: a change (put, PATCH, Reset) shows at once, and only on the BMC that was changed.
     */
    @Test
    void keptAnswersFollowChangesAndStayPerBmc() throws Exception {
        java.util.Map<String, com.fasterxml.jackson.databind.node.ObjectNode> tree =
                RedfishEmulator.readMockup(Fleet.mockup("dmtf-public-rackmount1"));
        RedfishEmulator.SharedAnswers shared = new RedfishEmulator.SharedAnswers();
        String expanded = "/redfish/v1/Systems?$expand=.($levels=1)".replace("(", "%28").replace(")", "%29");
        try (RedfishEmulator a = RedfishEmulator.builder().resources(tree).shareAnswers(shared).build();
             RedfishEmulator b = RedfishEmulator.builder().resources(tree).shareAnswers(shared).build()) {
            for (RedfishEmulator e : List.of(a, b)) {
                assertEquals("On", JSON.readTree(send(e, "GET", SYSTEM, null, "Authorization", basic()).body())
                        .path("PowerState").asText());
            }
            String etagBefore = send(a, "GET", SYSTEM, null, "Authorization", basic()).headers().firstValue("ETag")
                    .orElseThrow();
            // A reset on a: its system and the expanded collection that holds it change; b's do not.
            assertEquals(204, send(a, "POST", SYSTEM + "/Actions/ComputerSystem.Reset", "{\"ResetType\":\"ForceOff\"}",
                    "Authorization", basic()).statusCode());
            HttpResponse<String> after = send(a, "GET", SYSTEM, null, "Authorization", basic());
            assertEquals("Off", JSON.readTree(after.body()).path("PowerState").asText());
            assertTrue(!etagBefore.equals(after.headers().firstValue("ETag").orElseThrow()), etagBefore);
            assertEquals("Off", JSON.readTree(send(a, "GET", expanded, null, "Authorization", basic()).body())
                    .path("Members").path(0).path("PowerState").asText());
            assertEquals("On", JSON.readTree(send(b, "GET", SYSTEM, null, "Authorization", basic()).body())
                    .path("PowerState").asText());
            assertEquals("On", JSON.readTree(send(b, "GET", expanded, null, "Authorization", basic()).body())
                    .path("Members").path(0).path("PowerState").asText());
            // A second change on a, whose own answers are kept by now: put() shows too.
            com.fasterxml.jackson.databind.node.ObjectNode sys = a.resource(SYSTEM);
            sys.put("AssetTag", "changed");
            a.put(SYSTEM, sys);
            assertEquals("changed", JSON.readTree(send(a, "GET", SYSTEM, null, "Authorization", basic()).body())
                    .path("AssetTag").asText());
            assertTrue(!"changed".equals(JSON.readTree(send(b, "GET", SYSTEM, null, "Authorization", basic()).body())
                    .path("AssetTag").asText()));
        }
    }
}

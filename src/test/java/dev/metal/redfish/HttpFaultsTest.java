package dev.metal.redfish;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.metal.lab.Fleet;
import dev.metal.model.Bmc;
import dev.metal.model.Host;
import dev.metal.model.Inventory;
import dev.metal.model.Secret;
import dev.metal.util.Log;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Redfish client against HTTP gone wrong, from WireMock's network faults (one server for the
 * class) and from a raw-socket server with the byte-level quirks of small BMC web stacks. Every
 * case ends in an inventory or one clear error naming the host and the resource, never an
 * exception, and a session that was opened is deleted.
 */
class HttpFaultsTest {
    private static final String SYSTEM = "/redfish/v1/Systems/437XR1138R2";
    private static WireMockServer wm;

    @BeforeAll
    static void start() {
        wm = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1").gzipDisabled(true)
                .containerThreads(16).jettyIdleTimeout(5_000L));
        wm.start();
        // WireMock's first answer takes seconds on a busy machine (Jetty and its templating warm up).
        try {
            new java.net.URL(wm.baseUrl() + "/__admin/health").openStream().close();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void stop() {
        wm.stop();
    }

    /** dmtf-public-rackmount1, read from the shared captures, with sessions as a BMC has them. */
    @BeforeEach
    void capture() throws Exception {
        wm.resetAll();
        Path root = Fleet.mockup("dmtf-public-rackmount1");
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.getFileName().toString().equals("index.json")).toList()) {
                String rel = root.relativize(f.getParent()).toString().replace('\\', '/');
                String path = rel.isEmpty() ? "/redfish/v1" : "/redfish/v1/" + rel;
                wm.stubFor(get(urlPathMatching(Pattern.quote(path) + "/?")).willReturn(json(Files.readString(f))));
            }
        }
        wm.stubFor(post(urlPathEqualTo("/redfish/v1/SessionService/Sessions")).willReturn(aResponse().withStatus(201)
                .withHeader("X-Auth-Token", "t0k3n").withHeader("Location", "/redfish/v1/SessionService/Sessions/1")
                .withHeader("Content-Type", "application/json").withBody("{\"@odata.id\":\"/redfish/v1/SessionService/Sessions/1\"}")));
        wm.stubFor(delete(urlPathEqualTo("/redfish/v1/SessionService/Sessions/1")).willReturn(aResponse().withStatus(204)));
    }

    private static ResponseDefinitionBuilder json(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(body);
    }

    private static String body(String rel) throws Exception {
        return Files.readString(Fleet.mockup("dmtf-public-rackmount1").resolve(rel).resolve("index.json"));
    }

    /** A stub over the capture's own for one resource; with a scenario, only its first answer. */
    private static void once(String path, ResponseDefinitionBuilder fault) throws Exception {
        String scenario = "once " + path;
        MappingBuilder first = get(urlPathMatching(Pattern.quote(path) + "/?")).atPriority(1).inScenario(scenario)
                .whenScenarioStateIs(Scenario.STARTED).willSetStateTo("answered").willReturn(fault);
        wm.stubFor(first);
    }

    private static void always(String path, ResponseDefinitionBuilder answer) {
        wm.stubFor(get(urlPathMatching(Pattern.quote(path) + "/?")).atPriority(1).willReturn(answer));
    }

    private static Scraper.Outcome scrape(String address, RedfishClient.Options options) {
        Host h = Host.imported("h1", "r1", 1, new Bmc("02:00:00:00:00:01", address, "admin", Secret.of("password"), 623,
                null), "02:00:00:01:00:01", null, List.of(), Instant.EPOCH);
        return new Scraper(options, 1, false, Clock.systemUTC()).one(h);
    }

    private static RedfishClient.Options quick() {
        return RedfishClient.Options.defaults().withLog(new Log(new java.io.PrintWriter(System.err, true), true)).withReadTimeout(Duration.ofSeconds(3))
                .withAnswerTimeout(Duration.ofSeconds(5)).withRetries(0);
    }

    private static Scraper.Outcome scrape() {
        return scrape(wm.baseUrl(), quick());
    }

    private static void assertScraped(Scraper.Outcome o) {
        assertTrue(o.ok(), o.error());
        Inventory.SystemInfo s = o.inventory().systems().get(0);
        assertEquals("437XR1138R2", s.serial());
        assertEquals(2, s.drives().size());
    }

    private static void assertFailedOn(Scraper.Outcome o, String path, String why) {
        assertNull(o.inventory());
        assertNotNull(o.error());
        assertTrue(o.error().startsWith("h1: " + path), o.error());
        assertTrue(o.error().contains(why), o.error());
    }

    private static void assertSessionEnded() {
        wm.verify(1, postRequestedFor(urlPathEqualTo("/redfish/v1/SessionService/Sessions")));
        wm.verify(1, deleteRequestedFor(urlPathEqualTo("/redfish/v1/SessionService/Sessions/1")));
    }

    @Test
    void oneFaultOnAResourceIsSurvivedOnAFreshConnection() throws Exception {
        for (Fault fault : Fault.values()) {
            capture();
            once("/redfish/v1/Systems", aResponse().withFault(fault));
            Scraper.Outcome o = scrape();
            assertTrue(o.ok(), fault + ": " + o.error());
            assertScraped(o);
            assertSessionEnded();
        }
    }

    @Test
    void emptyResponseEveryTimeIsAClearError() {
        always("/redfish/v1/Systems", aResponse().withFault(Fault.EMPTY_RESPONSE));
        assertFailedOn(scrape(), "/redfish/v1/Systems", "");
        assertSessionEnded();
    }

    @Test
    void malformedChunkEveryTimeIsAClearError() {
        always(SYSTEM, aResponse().withFault(Fault.MALFORMED_RESPONSE_CHUNK));
        assertFailedOn(scrape(), SYSTEM, "");
        assertSessionEnded();
    }

    @Test
    void randomDataThenCloseIsAClearError() {
        always("/redfish/v1/Systems", aResponse().withFault(Fault.RANDOM_DATA_THEN_CLOSE));
        assertFailedOn(scrape(), "/redfish/v1/Systems", "");
        assertSessionEnded();
    }

    @Test
    void connectionResetIsAClearError() {
        always(SYSTEM, aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));
        assertFailedOn(scrape(), SYSTEM, "");
        assertSessionEnded();
    }

    @Test
    void headersThatArriveTooLateTimeOut() throws Exception {
        always(SYSTEM, json(body("Systems/437XR1138R2")).withFixedDelay(5_000));
        long t0 = System.nanoTime();
        assertFailedOn(scrape(), SYSTEM, "timed out after 3 s");
        assertTrue(System.nanoTime() - t0 < 8_000_000_000L, "bounded by the read timeout");
        assertSessionEnded();
    }

    @Test
    void aDribblingBodyIsCutAtTheAnswerTimeout() throws Exception {
        // Each piece comes well within the read timeout; the whole answer does not come within the answer timeout.
        always(SYSTEM, json(body("Systems/437XR1138R2")).withChunkedDribbleDelay(12, 9_000));
        long t0 = System.nanoTime();
        assertFailedOn(scrape(), SYSTEM, "did not answer in full within 5 s");
        assertTrue(System.nanoTime() - t0 < 8_000_000_000L, "bounded by the answer timeout");
        assertSessionEnded();
    }

    @Test
    void aSlowButSteadyBodyIsRead() throws Exception {
        always(SYSTEM, json(body("Systems/437XR1138R2")).withChunkedDribbleDelay(5, 1_000));
        assertScraped(scrape());
        assertSessionEnded();
    }

    @Test
    void aWrongContentTypeIsStillJson() throws Exception {
        always(SYSTEM, aResponse().withStatus(200).withHeader("Content-Type", "text/html")
                .withBody(body("Systems/437XR1138R2")));
        assertScraped(scrape());
    }

    @Test
    void htmlWhereJsonBelongsNamesTheTypeAndTheResource() {
        always(SYSTEM, aResponse().withStatus(200).withHeader("Content-Type", "text/html")
                .withBody("<html><body>Session expired</body></html>"));
        Scraper.Outcome o = scrape();
        assertFailedOn(o, SYSTEM, "malformed JSON");
        assertTrue(o.error().contains("text/html"), o.error());
        assertSessionEnded();
    }

    @Test
    void gzippedAnswersAreRead() throws Exception {
        ByteArrayOutputStream zipped = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(zipped)) {
            z.write(body("Systems/437XR1138R2").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        always(SYSTEM, aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withHeader("Content-Encoding", "gzip").withBody(zipped.toByteArray()));
        assertScraped(scrape());
    }

    @Test
    void a401OnTheSessionPostFallsBackToBasicAuth() {
        wm.stubFor(post(urlPathEqualTo("/redfish/v1/SessionService/Sessions")).atPriority(1)
                .willReturn(aResponse().withStatus(401)));
        assertScraped(scrape());
        wm.verify(0, deleteRequestedFor(urlPathMatching(".*")));
        wm.verify(com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(urlPathEqualTo(SYSTEM))
                .withBasicAuth(new com.github.tomakehurst.wiremock.client.BasicCredentials("admin", "password")));
    }

    @Test
    void a401ForBasicAuthTooIsARefusedLogin() {
        wm.stubFor(post(urlPathEqualTo("/redfish/v1/SessionService/Sessions")).atPriority(1)
                .willReturn(aResponse().withStatus(401)));
        always("/redfish/v1/Systems", aResponse().withStatus(401));
        Scraper.Outcome o = scrape();
        assertNull(o.inventory());
        assertTrue(o.error().startsWith("h1: BMC refused the login (401)"), o.error());
    }

    @Test
    void a405OnSessionServiceMeansBasicAuth() {
        wm.stubFor(post(urlPathEqualTo("/redfish/v1/SessionService/Sessions")).atPriority(1)
                .willReturn(aResponse().withStatus(405)));
        assertScraped(scrape());
        wm.verify(0, deleteRequestedFor(urlPathMatching(".*")));
    }

    @Test
    void aLoginPostThatBrokeIsNeverSentTwice() {
        wm.stubFor(post(urlPathEqualTo("/redfish/v1/SessionService/Sessions")).atPriority(1)
                .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        Scraper.Outcome o = scrape(wm.baseUrl(), quick().withRetries(2));
        assertNull(o.inventory());
        assertTrue(o.error().startsWith("h1: /redfish/v1/SessionService/Sessions"), o.error());
        assertTrue(o.error().contains("not sent twice"), o.error());
        wm.verify(1, postRequestedFor(urlPathEqualTo("/redfish/v1/SessionService/Sessions")));
    }

    @Test
    void aBmcThatAnswersHttp10WithNoKeepAlive() throws Exception {
        try (QuirkyHttpServer s = new QuirkyHttpServer(Fleet.mockup("dmtf-public-rackmount1"),
                QuirkyHttpServer.Quirks.oneRequestPerConnection())) {
            Scraper.Outcome o = scrape(s.address(), quick());
            assertScraped(o);
            assertEquals(1, s.sessionsCreated.get());
            assertEquals(1, s.sessionsDeleted.get());
            assertEquals(s.requests.get(), s.connections.get(), "one connection per request");
        }
    }

    @Test
    void aKeepAliveBmcWithAStrayCrlfAfter204AndConnectionsDroppedSilently() throws Exception {
        try (QuirkyHttpServer s = new QuirkyHttpServer(Fleet.mockup("dmtf-public-rackmount1"),
                QuirkyHttpServer.Quirks.keepAliveStrayCrlf(3))) {
            Scraper.Outcome o = scrape(s.address(), quick());
            assertScraped(o);
            assertEquals(1, s.sessionsCreated.get(), "the login is sent once");
            assertEquals(1, s.sessionsDeleted.get());
            assertTrue(s.connections.get() < s.requests.get(), "connections are kept alive where the BMC keeps them");
        }
    }
}

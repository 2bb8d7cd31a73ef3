package dev.metal.boot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.metal.model.Host;
import dev.metal.model.HostState;
import dev.metal.model.Provisioning;
import dev.metal.model.Secret;
import dev.metal.provision.Fleet;
import dev.metal.provision.TestBootContent;
import dev.metal.state.JournalEntry;
import dev.metal.state.JournalQuery;
import dev.metal.util.Json;
import dev.metal.util.Log;
import dev.metal.workflow.StoreBootBackend;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BootServerTest {
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dir;
    Fleet fleet;
    BootServer server;
    String base;
    String token;

    @BeforeEach
    void start() throws IOException {
        fleet = new Fleet(dir);
        fleet.host("web-01", "r1", 1, "web", 1).host("web-02", "r1", 2, "web", 2);
        token = Secret.randomToken().reference();
        fleet.store.update(tx -> {
            Host h = tx.host("web-01");
            tx.put(h.moveTo(HostState.PROVISIONING, "test", tx.now()).withProvisioning(
                    new Provisioning("p-test", "debian-12", Secret.of(token), tx.now(), null, 1, null)), "claimed");
            return null;
        });
        server = new BootServer(new StoreBootBackend(fleet.store), new TestBootContent(), fleet.files, null, 4, Log.stderr())
                .start(new InetSocketAddress("127.0.0.1", 0));
        base = server.baseUrl();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    List<JournalEntry> refusals() {
        return fleet.store.journal(JournalQuery.all()).stream().filter(e -> e.event().equals("boot-refused")).toList();
    }

    @Test
    void provisioningHostGetsItsInstallScriptOthersBootTheirDisk() throws Exception {
        HttpResponse<String> r = get("/ipxe?mac=52-54-00-00-00-01");
        assertEquals(200, r.statusCode());
        assertTrue(r.body().startsWith("#!ipxe"), r.body());
        assertTrue(r.body().contains("kernel " + base + "/files/debian/linux"), r.body());
        assertTrue(r.body().contains("/config/web-01/preseed?token=" + token), r.body());

        HttpResponse<String> ready = get("/ipxe/52:54:00:00:00:02");
        assertEquals(200, ready.statusCode());
        assertTrue(ready.body().contains("exit 0"), ready.body());
        assertFalse(ready.body().contains("kernel"), ready.body());

        HttpResponse<String> unknown = get("/ipxe?mac=52:54:00:00:00:99");
        assertEquals(404, unknown.statusCode());
        assertEquals(1, refusals().size());
        assertEquals("unknown MAC", refusals().get(0).detail().get("reason"));
    }

    HttpResponse<String> report(String hostAndQuery, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + "/report/" + hostAndQuery))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theStagesAMachineReachesAreRecordedWithItsTokenOnly() throws Exception {
        assertEquals(200, get("/ipxe?mac=52-54-00-00-00-01").statusCode());
        assertEquals("script", fleet.get("web-01").provisioning().stage());
        assertEquals(200, report("web-01?token=" + token, "{\"stage\":\"booted\",\"reason\":\"network up on eth0\"}").statusCode());
        Provisioning p = fleet.get("web-01").provisioning();
        assertEquals("booted: network up on eth0", p.stage());
        assertNotNull(p.stageAt());
        // The journal has each stage, without the token.
        List<JournalEntry> stages = fleet.store.journal(JournalQuery.forHost("web-01").ofEvents("boot-stage"));
        assertEquals(List.of("script", "booted"), stages.stream().map(e -> e.detail().get("stage")).toList());
        assertFalse(stages.toString().contains(token), stages.toString());
        // An iPXE script reports with a GET, as it cannot POST.
        assertEquals(200, get("/report/web-01?token=" + token + "&stage=failed&reason=kernel%20or%20initrd%20not%20loaded")
                .statusCode());
        assertEquals("failed: kernel or initrd not loaded", fleet.get("web-01").provisioning().stage());
        assertTrue(fleet.get("web-01").provisioning().reportedFailure());

        assertEquals(403, report("web-01?token=wrong", "{\"stage\":\"done\"}").statusCode());
        assertEquals(403, report("web-02?token=" + token, "{\"stage\":\"done\"}").statusCode());
        assertEquals(404, report("nosuch?token=" + token, "{\"stage\":\"done\"}").statusCode());
        assertEquals(400, report("web-01?token=" + token, "{\"stage\":\"dancing\"}").statusCode());
        assertEquals(400, report("web-01?token=" + token, "not json").statusCode());
        assertEquals(List.of("wrong token", "no provisioning in progress", "unknown host"),
                refusals().stream().map(e -> e.detail().get("reason")).toList());
        assertEquals("failed: kernel or initrd not loaded", fleet.get("web-01").provisioning().stage());
    }

    @Test
    void pixiecoreApiAnswersForProvisioningHostsOnly() throws Exception {
        HttpResponse<String> r = get("/v1/boot/52:54:00:00:00:01");
        assertEquals(200, r.statusCode());
        JsonNode json = Json.mapper().readTree(r.body());
        assertEquals(base + "/files/debian/linux", json.get("kernel").asText());
        assertEquals(base + "/files/debian/initrd.gz", json.get("initrd").get(0).asText());
        assertTrue(json.get("cmdline").asText().contains("preseed/url=" + base + "/config/web-01/preseed?token="));
        assertEquals(404, get("/v1/boot/52:54:00:00:00:02").statusCode());
        assertEquals(404, get("/v1/boot/52:54:00:00:00:77").statusCode());
    }

    @Test
    void configNeedsTheHostsLiveToken() throws Exception {
        HttpResponse<String> ok = get("/config/web-01/preseed?token=" + token);
        assertEquals(200, ok.statusCode());
        assertTrue(ok.body().contains("/phone-home/web-01?token=" + token), ok.body());
        assertEquals(404, get("/config/web-01/nosuchkind?token=" + token).statusCode());

        HttpResponse<String> wrong = get("/config/web-01/preseed?token=" + Secret.randomToken().reference());
        assertEquals(403, wrong.statusCode());
        assertFalse(wrong.body().contains("phone-home"));
        assertEquals(403, get("/config/web-01/preseed").statusCode());
        assertEquals(403, get("/config/web-01/preseed?token=").statusCode());
        // Another host's token does not open this one's config.
        assertEquals(403, get("/config/web-02/preseed?token=" + token).statusCode());
        assertEquals(404, get("/config/nobody/preseed?token=" + token).statusCode());

        List<JournalEntry> refused = refusals();
        assertEquals(List.of("wrong token", "missing token", "missing token", "no provisioning in progress",
                "unknown host"), refused.stream().map(e -> e.detail().get("reason")).toList());
        assertEquals("web-01", refused.get(0).host());
        String journal = Files.readString(fleet.state.resolveSibling(fleet.state.getFileName() + ".journal"));
        assertFalse(journal.contains(token), "the journal must not hold a token");
    }

    @Test
    void phoneHomeMarksTheHostAndATokenEndsWithItsProvisioning() throws Exception {
        assertEquals(403, post("/phone-home/web-01?token=nope").statusCode());
        assertNull(fleet.get("web-01").provisioning().phonedHomeAt());
        assertEquals(405, get("/phone-home/web-01?token=" + token).statusCode());

        assertEquals(200, post("/phone-home/web-01?token=" + token).statusCode());
        Instant at = fleet.get("web-01").provisioning().phonedHomeAt();
        assertNotNull(at);
        assertTrue(fleet.store.journal(JournalQuery.all()).stream().anyMatch(e -> e.event().equals("phoned-home") && "web-01".equals(e.host())));

        // The provisioning ends as the workflow ends it: active, token gone.
        fleet.store.update(tx -> {
            Host h = tx.host("web-01");
            Provisioning p = h.provisioning();
            tx.put(h.moveTo(HostState.ACTIVE, "done", tx.now()).withProvisioning(new Provisioning(p.requestId(), p.os(),
                    null, p.startedAt(), p.phonedHomeAt(), p.attempt(), null)), "provisioned");
            return null;
        });
        assertEquals(403, get("/config/web-01/preseed?token=" + token).statusCode());
        assertEquals(403, post("/phone-home/web-01?token=" + token).statusCode());
        assertTrue(get("/ipxe?mac=52:54:00:00:00:01").body().contains("exit 0"), "an active host boots its disk");
        assertEquals("no provisioning in progress", refusals().get(refusals().size() - 1).detail().get("reason"));
    }

    @Test
    void filesAreStreamedWithRanges() throws Exception {
        byte[] all = Files.readAllBytes(fleet.files.resolve("debian/initrd.gz"));
        HttpResponse<byte[]> full = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/files/debian/initrd.gz")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, full.statusCode());
        assertArrayEquals(all, full.body());
        assertEquals("bytes", full.headers().firstValue("Accept-Ranges").orElse(null));

        HttpResponse<byte[]> part = range("bytes=1000-1999");
        assertEquals(206, part.statusCode());
        assertEquals("bytes 1000-1999/" + all.length, part.headers().firstValue("Content-Range").orElse(null));
        assertArrayEquals(Arrays.copyOfRange(all, 1000, 2000), part.body());

        HttpResponse<byte[]> tail = range("bytes=-10");
        assertArrayEquals(Arrays.copyOfRange(all, all.length - 10, all.length), tail.body());
        HttpResponse<byte[]> open = range("bytes=99990-");
        assertArrayEquals(Arrays.copyOfRange(all, 99_990, all.length), open.body());
        assertEquals(416, range("bytes=" + all.length + "-").statusCode());
        assertEquals(404, get("/files/debian/missing").statusCode());
    }

    private HttpResponse<byte[]> range(String range) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + "/files/debian/initrd.gz")).header("Range", range).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void noPathLeavesTheFilesFolder() throws Exception {
        Files.writeString(dir.resolve("secret.txt"), "outside");
        Files.createSymbolicLink(fleet.files.resolve("escape"), dir.resolve("secret.txt"));
        Files.createSymbolicLink(fleet.files.resolve("outdir"), dir);
        Files.createSymbolicLink(fleet.files.resolve("kernel"), fleet.files.resolve("debian/linux"));

        for (String path : List.of("/files/../secret.txt", "/files/%2e%2e/secret.txt", "/files/%2E%2E/secret.txt",
                "/files/debian/../../secret.txt", "/files/debian/%2e%2e/%2e%2e/secret.txt", "/files/..%2fsecret.txt",
                "/files/%2fetc%2fpasswd", "/files/escape", "/files/outdir/secret.txt", "/files/outdir/state.json")) {
            String response = raw(path);
            assertTrue(response.startsWith("HTTP/1.1 403"), path + " -> " + response);
            assertFalse(response.contains("outside"), path);
        }
        assertTrue(raw("/files/kernel").startsWith("HTTP/1.1 200"), "a symlink inside the folder is served");
        assertTrue(refusals().stream().allMatch(e -> "path escapes the served folder".equals(e.detail().get("reason"))));
        assertEquals(10, refusals().size());
    }

    /** Sends the path as written: HTTP clients would clean up the dot segments first. */
    private String raw(String path) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.address().getPort())) {
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}

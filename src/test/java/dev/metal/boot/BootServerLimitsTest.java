package dev.metal.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metal.model.Host;
import dev.metal.model.HostState;
import dev.metal.model.Provisioning;
import dev.metal.model.Secret;
import dev.metal.provision.Fleet;
import dev.metal.provision.TestBootContent;
import dev.metal.util.Log;
import dev.metal.workflow.StoreBootBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The boot server against clients that are slow, silent or never read, over real sockets on
 * loopback: every wait on a client has a deadline, and such clients never keep a normal
 * request from being answered.
 */
class BootServerLimitsTest {
    @TempDir
    Path dir;
    Fleet fleet;
    String token;
    final List<BootServer> servers = new ArrayList<>();

    @BeforeEach
    void fleet() throws IOException {
        fleet = new Fleet(dir);
        fleet.host("web-01", "r1", 1, "web", 1).host("web-02", "r1", 2, "web", 2);
        token = Secret.randomToken().reference();
        fleet.store.update(tx -> {
            Host h = tx.host("web-01");
            tx.put(h.moveTo(HostState.PROVISIONING, "test", tx.now()).withProvisioning(
                    new Provisioning("p-test", "debian-12", Secret.of(token), tx.now(), null, 1, null)), "claimed");
            return null;
        });
    }

    @AfterEach
    void stop() {
        servers.forEach(BootServer::close);
    }

    BootServer server(BootServer.Limits limits) {
        BootServer s = new BootServer(new StoreBootBackend(fleet.store), new TestBootContent(), fleet.files, null, limits,
                Log.stderr()).start(new InetSocketAddress("127.0.0.1", 0));
        servers.add(s);
        return s;
    }

    static BootServer.Limits quick() {
        Duration second = Duration.ofSeconds(1);
        return new BootServer.Limits(64, second, second, second, second);
    }

    @Test
    void slowAndIdleClientsDoNotKeepNormalRequestsWaiting() throws Exception {
        BootServer server = server(BootServer.Limits.DEFAULT);
        try (LoadClients load = new LoadClients(server.address())) {
            load.slow(64);
            load.idle(64);
            List<LoadClients.Outcome> outcomes = load.normal(200, 16,
                    List.of("/ipxe?mac=52:54:00:00:00:02", "/files/debian/initrd.gz", "/files/debian/linux"));
            for (LoadClients.Outcome o : outcomes) {
                assertEquals(200, o.status(), o.toString());
                assertTrue(o.error() == null, o.toString());
                assertTrue(o.millis() <= 2_000, "a normal request took " + o.millis() + " ms");
            }
            // The slow and idle ones were held all along: the defaults give them 10 s.
            assertEquals(0, load.closedByServer());
        }
        assertEquals(Runtime.version().feature() >= 21, server.virtualThreads());
    }

    @Test
    void slowAndSilentClientsAreCutAtTheHeaderTimeout() throws Exception {
        BootServer server = server(quick());
        try (LoadClients load = new LoadClients(server.address());
             Socket trickle = new Socket("127.0.0.1", server.address().getPort())) {
            load.slow(3);
            load.idle(3);
            // One byte every 200 ms keeps no read waiting long, but the headers are due in full within 1 s.
            OutputStream out = trickle.getOutputStream();
            long start = System.nanoTime();
            boolean cut = false;
            for (byte b : "GET /ipxe?mac=52:54:00:00:00:02 HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII)) {
                try {
                    out.write(b);
                    out.flush();
                } catch (IOException e) {
                    cut = true;
                    break;
                }
                Thread.sleep(200);
            }
            assertTrue(cut, "the trickling client was never cut");
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(4).toNanos());
            assertEquals(6, load.closedByServer());
            assertEquals(200, load.get("/ipxe?mac=52:54:00:00:00:02").status());
        }
    }

    @Test
    void idleConnectionsMakeRoomAtTheLimit() throws Exception {
        BootServer server = server(BootServer.Limits.DEFAULT.withMaxConnections(8));
        try (LoadClients load = new LoadClients(server.address())) {
            load.idle(8);
            load.slow(4);
            for (int i = 0; i < 4; i++) {
                LoadClients.Outcome o = load.get("/files/debian/linux");
                assertEquals(200, o.status(), o.toString());
                assertEquals(300_000, o.bytes());
            }
            // 4 to let the slow ones in (the idle ones had waited longest), 1 or more for the requests.
            String stats = server.connectionStats();
            int evicted = Integer.parseInt(stats.replaceAll(".*evicted (\\d+).*", "$1"));
            assertTrue(evicted >= 5 && stats.contains("refused 0"), stats);
            assertEquals(evicted, load.closedByServer());
        }
    }

    @Test
    void busyConnectionsAtTheLimitGet503UntilTheirBodyTimeout() throws Exception {
        BootServer server = server(new BootServer.Limits(2, Duration.ofSeconds(10), Duration.ofSeconds(10),
                Duration.ofSeconds(1), Duration.ofSeconds(10)));
        List<Socket> posts = new ArrayList<>();
        try (LoadClients load = new LoadClients(server.address())) {
            for (int i = 0; i < 2; i++) {
                Socket s = new Socket("127.0.0.1", server.address().getPort());
                posts.add(s);
                s.getOutputStream().write(("POST /phone-home/web-01?token=x HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
                        .getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
            }
            Thread.sleep(200);
            LoadClients.Outcome busy = load.get("/ipxe?mac=52:54:00:00:00:02");
            assertEquals(503, busy.status(), busy.toString());
            // Neither body comes: both are cut after a second, and the server answers again.
            for (Socket s : posts) {
                s.setSoTimeout(5_000);
                assertEquals(-1, s.getInputStream().read());
            }
            Thread.sleep(100);
            assertEquals(200, load.get("/ipxe?mac=52:54:00:00:00:02").status());
            assertTrue(server.connectionStats().contains("refused 1, timed out 2"), server.connectionStats());
        } finally {
            for (Socket s : posts) s.close();
        }
    }

    @Test
    void aClientThatNeverReadsIsCutAtTheWriteTimeout() throws Exception {
        Path big = fleet.files.resolve("big.img");
        byte[] block = new byte[1 << 20];
        for (int i = 0; i < 64; i++) Files.write(big, block, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        BootServer server = server(quick());
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(4096);
            s.connect(server.address());
            s.getOutputStream().write("GET /files/big.img HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            long deadline = System.nanoTime() + Duration.ofSeconds(8).toNanos();
            while (server.connectionStats().startsWith("open 0,") && System.nanoTime() < deadline) Thread.sleep(20);
            while (!server.connectionStats().startsWith("open 0,") && System.nanoTime() < deadline) Thread.sleep(100);
            assertTrue(server.connectionStats().startsWith("open 0,") && server.connectionStats().contains("timed out 1"),
                    server.connectionStats());
        }
    }

    @Test
    void keptAliveConnectionsChunkedBodiesAndExpectContinue() throws Exception {
        BootServer server = server(BootServer.Limits.DEFAULT);
        try (Socket s = new Socket("127.0.0.1", server.address().getPort())) {
            s.setSoTimeout(5_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write("GET /ipxe?mac=52:54:00:00:00:02 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String first = response(in);
            assertTrue(first.startsWith("HTTP/1.1 200 OK\r\n") && first.contains("local disk"), first);

            out.write(("POST /phone-home/web-01?token=" + token + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                    + "Expect: 100-continue\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String cont = readUntil(in, "\r\n\r\n");
            assertEquals("HTTP/1.1 100 Continue\r\n\r\n", cont);
            out.write("4\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String second = response(in);
            assertTrue(second.startsWith("HTTP/1.1 200 OK\r\n") && second.endsWith("ok\n"), second);

            out.write("GET /files/debian/linux HTTP/1.1\r\nHost: x\r\nRange: bytes=0-9\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String third = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(third.startsWith("HTTP/1.1 206 Partial Content\r\n") && third.contains("Connection: close"), third);
        }
        assertTrue(fleet.get("web-01").provisioning().phonedHomeAt() != null);
    }

    @Test
    void malformedRequestsGetAnErrorAndTheConnectionCloses() throws Exception {
        BootServer server = server(BootServer.Limits.DEFAULT);
        assertTrue(raw(server, "GARBAGE\r\n\r\n").startsWith("HTTP/1.1 400 "));
        assertTrue(raw(server, "GET /ipxe HTTP/2.0\r\n\r\n").startsWith("HTTP/1.1 505 "));
        assertTrue(raw(server, "GET /ipxe HTTP/1.1\r\nX-Long: " + "a".repeat(40_000) + "\r\n\r\n").startsWith("HTTP/1.1 431 "));
        assertTrue(raw(server, "POST /phone-home/web-01 HTTP/1.1\r\nContent-Length: -5\r\n\r\n").startsWith("HTTP/1.1 400 "));
        assertTrue(raw(server, "POST /phone-home/web-01 HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n")
                .startsWith("HTTP/1.1 400 "));
        assertTrue(raw(server, "GET /a b HTTP/1.1\r\n\r\n").startsWith("HTTP/1.1 400 "));
    }

    private static String raw(BootServer server, String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.address().getPort())) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    /** One response with a Content-Length body. */
    private static String response(InputStream in) throws IOException {
        String head = readUntil(in, "\r\n\r\n");
        int length = 0;
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) length = Integer.parseInt(line.substring(15).strip());
        }
        return head + new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
    }

    private static String readUntil(InputStream in, String end) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while (!b.toString(StandardCharsets.ISO_8859_1).endsWith(end)) {
            int c = in.read();
            if (c < 0) throw new IOException("closed after " + b.toString(StandardCharsets.ISO_8859_1));
            b.write(c);
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }
}

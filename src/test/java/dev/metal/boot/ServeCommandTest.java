package dev.metal.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metal.cli.CliRun;
import dev.metal.provision.Fleet;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** metal serve through the command line: it listens where told and serves from the state file. */
class ServeCommandTest {
    @TempDir
    Path dir;

    @Test
    void servesUntilStopped() throws Exception {
        Fleet fleet = new Fleet(dir).host("web-01", "r1", 1, "web", 1);
        AtomicReference<CliRun> run = new AtomicReference<>();
        Thread t = new Thread(() -> run.set(fleet.metal("serve", "--listen", "127.0.0.1:" + fleet.port,
                "--files", fleet.files.toString(), "--for", "3s")));
        t.start();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> r = null;
        for (int i = 0; i < 50 && r == null; i++) {
            try {
                r = http.send(HttpRequest.newBuilder(URI.create(fleet.server + "/ipxe?mac=52:54:00:00:00:01")).build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (java.net.ConnectException notYet) {
                Thread.sleep(50);
            }
        }
        assertEquals(200, r.statusCode());
        assertTrue(r.body().startsWith("#!ipxe") && r.body().contains("local disk"), r.body());
        assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(fleet.server + "/files/debian/linux")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode());
        t.join(10_000);
        assertEquals(0, run.get().exitCode, run.get().toString());
        assertTrue(run.get().err.contains("serving " + fleet.server), run.get().err);
    }

    @Test
    void aBusyPortIsAOneLineError() throws Exception {
        Fleet fleet = new Fleet(dir);
        try (java.net.ServerSocket busy = new java.net.ServerSocket(fleet.port, 1,
                java.net.InetAddress.getByName("127.0.0.1"))) {
            CliRun r = fleet.metal("serve", "--listen", "127.0.0.1:" + fleet.port, "--for", "1s");
            assertEquals(1, r.exitCode, r.toString());
            assertTrue(r.err.startsWith("metal: cannot listen on 127.0.0.1:" + fleet.port), r.err);
            assertEquals(1, r.err.strip().lines().count(), r.err);
        }
    }
}

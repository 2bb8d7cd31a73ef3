package dev.metal.redfish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.metal.cli.CliRun;
import dev.metal.lab.Fleet;
import dev.metal.lab.RedfishEmulator;
import dev.metal.testing.Tools;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every shared capture served by DMTF's Redfish-Mockup-Server, the reference server written by
 * others (a real python3 process speaking HTTP/1.0, one request per connection, with its own
 * quirks), and by our emulator: one {@code metal scrape --all} reads them all, and each capture
 * gives the same inventory through both. The captures are read where they are, never copied.
 */
class DmtfMockupServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<Process> SERVERS = new ArrayList<>();
    private static final List<RedfishEmulator> EMULATORS = new ArrayList<>();
    /** Capture name -> DMTF server address, and capture name -> emulator address. */
    private static final Map<String, String> DMTF = new LinkedHashMap<>();
    private static final Map<String, String> EMULATED = new LinkedHashMap<>();

    @TempDir
    static Path dir;

    @BeforeAll
    static void serveEveryCapture() throws Exception {
        Path python = Tools.require("python3", "python3");
        Tools.Run requests = Tools.run(python.toString(), "-c", "import requests");
        assertEquals(0, requests.exit(), "DMTF's mockup server needs the Debian package python3-requests: "
                + requests.output());
        Path server = Path.of(System.getProperty("metal.shared"), "tools", "redfish-mockup-server");
        List<Path> captures;
        try (Stream<Path> s = Files.list(Fleet.mockups())) {
            captures = s.filter(Files::isDirectory).sorted().toList();
        }
        assertTrue(captures.size() >= 8, "the shared captures: " + captures);
        List<Integer> ports = new ArrayList<>();
        for (Path capture : captures) {
            int port = freePort();
            ProcessBuilder pb = new ProcessBuilder(python.toString(), server.resolve("redfishMockupServer.py").toString(),
                    "-H", "127.0.0.1", "-p", String.valueOf(port), "-S", "-D", capture.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve(capture.getFileName() + ".log").toFile());
            pb.environment().put("PYTHONPATH", server.resolve("shim").toString());
            SERVERS.add(pb.start());
            ports.add(port);
            DMTF.put(capture.getFileName().toString(), "http://127.0.0.1:" + port);
            RedfishEmulator emu = RedfishEmulator.serve(capture);
            EMULATORS.add(emu);
            EMULATED.put(capture.getFileName().toString(), emu.address());
        }
        for (int i = 0; i < ports.size(); i++) awaitListening(ports.get(i), SERVERS.get(i), captures.get(i));
    }

    @AfterAll
    static void stop() throws Exception {
        for (Process p : SERVERS) p.destroy();
        for (Process p : SERVERS) p.waitFor();
        EMULATORS.forEach(RedfishEmulator::close);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void awaitListening(int port, Process p, Path capture) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("DMTF's mockup server for " + capture.getFileName() + " exited: "
                        + Files.readString(dir.resolve(capture.getFileName() + ".log")));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("DMTF's mockup server for " + capture.getFileName() + " did not listen");
    }

    /**
     * The inventory without the time it was read at, and without the warnings: those tell how the
     * resources arrived, and differ for one capture. dmtf-public-tower has two drives that name each
     * other in their @odata.id: read one by one, each is filed under the link that led to it, with a
     * warning; expanded in place by DMTF's server, nothing shows the swap (the inventory is the same).
     */
    private static JsonNode inventory(Path state, String host) throws Exception {
        CliRun show = CliRun.metal(state, "--json", "inventory", "show", host);
        assertEquals(0, show.exitCode, show.toString());
        ObjectNode inv = (ObjectNode) JSON.readTree(show.out);
        inv.remove("scrapedAt");
        inv.remove("warnings");
        return inv;
    }

    @Test
    void everyCaptureScrapesThroughDmtfsServerAsThroughOurs() throws Exception {
        Path state = dir.resolve("state.json");
        Map<String, String> hosts = new LinkedHashMap<>();
        int i = 0;
        for (String capture : DMTF.keySet()) {
            hosts.put("dmtf" + i, DMTF.get(capture));
            hosts.put("emu" + i, EMULATED.get(capture));
            i++;
        }
        CliRun imp = CliRun.metal(state, "import", Fleet.rackCsv(dir, hosts).toString());
        assertEquals(0, imp.exitCode, imp.toString());
        CliRun scrape = CliRun.metal(state, "scrape", "--all");
        assertEquals(0, scrape.exitCode, scrape.toString());
        assertTrue(scrape.out.contains(hosts.size() + " ok, 0 failed"), scrape.out);
        List<String> differ = new ArrayList<>();
        i = 0;
        for (String capture : DMTF.keySet()) {
            JsonNode viaDmtf = inventory(state, "dmtf" + i);
            JsonNode viaOurs = inventory(state, "emu" + i);
            assertTrue(viaDmtf.path("systems").size() > 0, capture + ": " + viaDmtf);
            if (!viaDmtf.equals(viaOurs)) differ.add(capture + ":\n  DMTF: " + viaDmtf + "\n  ours: " + viaOurs);
            i++;
        }
        assertTrue(differ.isEmpty(), String.join("\n", differ));
        for (RedfishEmulator emu : EMULATORS) assertEquals(0, emu.openSessions(), "every session is deleted");
    }
}

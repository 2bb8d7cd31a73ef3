package dev.metal.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.metal.testing.Tools;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's image step (50-image.sh) run by Debian's busybox on this machine, against a
 * sysfs tree and disk files of the test's making and a server that cuts streams: the right
 * disk only, the image streamed and verified, a cut stream resumed with Range, a wrong
 * checksum and a missing or ambiguous disk failing with their reasons.
 */
class ImageStepTest {
    @TempDir
    static Path dir;
    static Path busyboxBin;
    static Path lib;
    static byte[] raw;
    static byte[] xz;
    static String xzSum;
    static HttpServer server;
    static final List<String> reports = Collections.synchronizedList(new ArrayList<>());
    static final List<String> ranges = Collections.synchronizedList(new ArrayList<>());
    /** Bytes after which the next image response is cut (0: none). */
    static final AtomicInteger cutAfter = new AtomicInteger();
    /** Image connections to close without an answer after the next cut, as by a server that is gone a while. */
    static final AtomicInteger goneAfterCut = new AtomicInteger();
    static final AtomicInteger unanswered = new AtomicInteger();
    static volatile String deploy;

    Path sys;
    Path dev;
    Path run;

    @BeforeAll
    static void setUp() throws Exception {
        Path unpacked = dir.resolve("busybox");
        Tools.Run x = Tools.run(List.of("dpkg-deb", "-x", Tools.deb("busybox-static").toString(), unpacked.toString()));
        assertEquals(0, x.exit(), x.output());
        busyboxBin = Files.createDirectories(dir.resolve("bin"));
        Tools.Run install = Tools.run(List.of(unpacked.resolve("bin/busybox").toString(), "--install", "-s",
                busyboxBin.toString()));
        assertEquals(0, install.exit(), install.output());
        lib = Files.createDirectories(dir.resolve("lib"));
        for (String f : List.of("deploy-lib.sh", "50-image.sh")) Files.write(lib.resolve(f), AgentBuilder.resource(f));

        // A disk's worth of bytes that compress, as an OS image does, with some that do not.
        raw = new byte[6 << 20];
        Random random = new Random(15);
        for (int i = 0; i < raw.length; i += 4096) {
            byte[] block = new byte[4096];
            if ((i / 4096) % 3 == 0) random.nextBytes(block);
            else java.util.Arrays.fill(block, (byte) (i / 4096));
            System.arraycopy(block, 0, raw, i, 4096);
        }
        Path rawFile = dir.resolve("image.raw");
        Files.write(rawFile, raw);
        Tools.Run compress = Tools.run(List.of(Tools.require("xz", "xz-utils").toString(), "-T1", "-0", "-k", rawFile.toString()));
        assertEquals(0, compress.exit(), compress.output());
        xz = Files.readAllBytes(dir.resolve("image.raw.xz"));
        xzSum = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(xz));

        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/", ImageStepTest::handle);
        server.start();
        images = new java.net.ServerSocket(0, 16, java.net.InetAddress.getLoopbackAddress());
        Thread t = new Thread(ImageStepTest::serveImages, "image-server");
        t.setDaemon(true);
        t.start();
    }

    @AfterAll
    static void stop() throws IOException {
        if (server != null) server.stop(0);
        if (images != null) images.close();
    }

    /** The image over plain sockets, so that a stream can really be cut: Range honoured, one request a connection. */
    static java.net.ServerSocket images;

    private static void serveImages() {
        while (!images.isClosed()) {
            try (java.net.Socket s = images.accept()) {
                java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
                        StandardCharsets.ISO_8859_1));
                String request = in.readLine();
                String range = null;
                for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                    if (line.toLowerCase().startsWith("range:")) range = line.substring(6).strip();
                }
                OutputStream out = s.getOutputStream();
                if (request == null || !request.startsWith("GET /files/image.raw.xz ")) {
                    out.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    continue;
                }
                if (unanswered.getAndUpdate(n -> Math.max(0, n - 1)) > 0) continue;
                ranges.add(range == null ? "none" : range);
                int start = range == null ? 0 : Integer.parseInt(range.replaceAll("bytes=(\\d+)-", "$1"));
                int cut = cutAfter.getAndSet(0);
                if (cut > 0) unanswered.set(goneAfterCut.getAndSet(0));
                String head = (range == null ? "HTTP/1.1 200 OK\r\n" : "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes "
                        + start + "-" + (xz.length - 1) + "/" + xz.length + "\r\n")
                        + "Content-Length: " + (xz.length - start) + "\r\nConnection: close\r\n\r\n";
                out.write(head.getBytes(StandardCharsets.ISO_8859_1));
                // A cut stream: the headers promise the rest, the connection ends early.
                out.write(xz, start, cut > 0 ? cut : xz.length - start);
                out.flush();
            } catch (IOException e) {
                // closed, or the client went away
            }
        }
    }

    @BeforeEach
    void machine() throws IOException {
        Path m = Files.createTempDirectory(dir, "machine");
        sys = m.resolve("sys");
        dev = Files.createDirectories(m.resolve("dev"));
        run = m.resolve("run");
        Files.writeString(m.resolve("cmdline"), "console=ttyS0 metal.url=http://127.0.0.1:" + server.getAddress().getPort()
                + " metal.host=n01 metal.token=t0k3n\n");
        reports.clear();
        ranges.clear();
        cutAfter.set(0);
        unanswered.set(0);
        goneAfterCut.set(0);
        deploy = description(xzSum);
    }

    static String description(String sha) {
        return """
                METAL_OS='lab-image'
                METAL_IMAGE_URL='http://127.0.0.1:%d/files/image.raw.xz'
                METAL_IMAGE_FORMAT='xz'
                METAL_IMAGE_SHA256='%s'
                METAL_DISK_NAME='nvme0'
                METAL_DISK_SERIAL='BOOT0001'
                METAL_DISK_MODEL='QEMU NVMe Ctrl'
                METAL_DISK_BY_ID='nvme-QEMU_NVMe_Ctrl_BOOT0001'
                METAL_ROOT_PARTITION=''
                """.formatted(images.getLocalPort(), sha);
    }

    /** A disk in sysfs (NVMe-like: serial and model under device/) and its node, filled with a pattern. */
    byte[] disk(String name, String serial, String model) throws IOException {
        Path d = Files.createDirectories(sys.resolve("block").resolve(name).resolve("device"));
        Files.writeString(d.resolve("serial"), serial + "        \n");
        Files.writeString(d.resolve("model"), model + "                      \n");
        byte[] content = new byte[8 << 20];
        java.util.Arrays.fill(content, (byte) name.length());
        content[0] = 'M';
        Files.write(dev.resolve(name), content);
        return content;
    }

    Tools.Run step() {
        return Tools.run(List.of(busyboxBin.resolve("sh").toString(), lib.resolve("50-image.sh").toString()),
                Map.of("PATH", busyboxBin.toString(), "METAL_SYS", sys.toString(), "METAL_DEV", dev.toString(),
                        "METAL_RUN", run.toString(), "METAL_LIB", lib.toString(),
                        "METAL_CMDLINE", sys.getParent().resolve("cmdline").toString(), "METAL_SERVER_WAIT", "20"),
                Duration.ofSeconds(120));
    }

    String reason() throws IOException {
        return Files.readString(run.resolve("reason")).strip();
    }

    @Test
    void streamsTheImageOntoTheBootDiskOnlyAndChecksIt() throws IOException {
        byte[] other = disk("nvme1n1", "DATA0002", "QEMU NVMe Ctrl");
        disk("nvme0n1", "BOOT0001", "QEMU NVMe Ctrl");
        Tools.Run r = step();
        assertEquals(0, r.exit(), r.output());
        byte[] written = Files.readAllBytes(dev.resolve("nvme0n1"));
        assertArrayEquals(raw, java.util.Arrays.copyOf(written, raw.length), "the image is on the boot disk");
        assertEquals(8 << 20, written.length, "a disk is not truncated");
        assertArrayEquals(other, Files.readAllBytes(dev.resolve("nvme1n1")), "the other disk is untouched");
        assertEquals("nvme0n1", Files.readString(run.resolve("disk")).strip());
        assertTrue(reports.stream().anyMatch(s -> s.contains("\"stage\":\"working\"") && s.contains("image written to nvme0n1 ("
                + xz.length + " bytes")), reports.toString());
        assertEquals(List.of("bytes=0-"), ranges);
    }

    @Test
    void aCutStreamResumesWhereItStopped() throws IOException {
        disk("nvme0n1", "BOOT0001", "QEMU NVMe Ctrl");
        cutAfter.set(xz.length / 3);
        Tools.Run r = step();
        assertEquals(0, r.exit(), r.output());
        assertArrayEquals(raw, java.util.Arrays.copyOf(Files.readAllBytes(dev.resolve("nvme0n1")), raw.length));
        assertEquals(List.of("bytes=0-", "bytes=" + xz.length / 3 + "-"), ranges);
        assertTrue(r.output().contains("image stream cut at byte " + xz.length / 3 + "; resuming"), r.output());
    }

    @Test
    void aServerThatStopsAnsweringIsWaitedForAndTheStreamGoesOn() throws IOException {
        disk("nvme0n1", "BOOT0001", "QEMU NVMe Ctrl");
        cutAfter.set(xz.length / 2);
        goneAfterCut.set(3);
        Tools.Run r = step();
        assertEquals(0, r.exit(), r.output());
        assertArrayEquals(raw, java.util.Arrays.copyOf(Files.readAllBytes(dev.resolve("nvme0n1")), raw.length));
        assertEquals(List.of("bytes=0-", "bytes=" + xz.length / 2 + "-"), ranges);
        assertTrue(r.output().contains("no answer from the image server at byte " + xz.length / 2 + "; trying again"),
                r.output());
    }

    @Test
    void aServerThatAnswersWithAnErrorFailsTheStepAtOnce() throws IOException {
        disk("nvme0n1", "BOOT0001", "QEMU NVMe Ctrl");
        deploy = description(xzSum).replace("/files/image.raw.xz", "/files/gone.raw.xz");
        Tools.Run r = step();
        assertEquals(1, r.exit(), r.output());
        assertEquals("image fetch refused: HTTP/1.1 404 Not Found", reason());
        assertTrue(!r.output().contains("trying again"), r.output());
    }

    @Test
    void aWrongChecksumFailsAndTheDiskDoesNotBootWhatWasWritten() throws IOException {
        disk("nvme0n1", "BOOT0001", "QEMU NVMe Ctrl");
        String wrong = "0".repeat(64);
        deploy = description(wrong);
        Tools.Run r = step();
        assertEquals(1, r.exit(), r.output());
        assertEquals("image checksum mismatch: sha256 " + xzSum + ", the site plan says " + wrong, reason());
        byte[] disk = Files.readAllBytes(dev.resolve("nvme0n1"));
        assertArrayEquals(new byte[1 << 20], java.util.Arrays.copyOf(disk, 1 << 20), "the partition table is gone");
    }

    @Test
    void noDiskOrSeveralDisksWriteNothing() throws IOException {
        byte[] a = disk("nvme0n1", "OTHER001", "QEMU NVMe Ctrl");
        byte[] b = disk("vda", "BOOT0001", "Some Other Model");
        Tools.Run r = step();
        assertEquals(1, r.exit(), r.output());
        assertEquals("boot disk nvme0 (serial BOOT0001 model QEMU NVMe Ctrl) not found; disks: nvme0n1(serial=OTHER001 "
                + "model=QEMU NVMe Ctrl) vda(serial=BOOT0001 model=Some Other Model); nothing written", reason());
        assertArrayEquals(a, Files.readAllBytes(dev.resolve("nvme0n1")));
        assertArrayEquals(b, Files.readAllBytes(dev.resolve("vda")));
        assertEquals(List.of(), ranges, "nothing fetched");

        byte[] c = disk("nvme1n1", "BOOT0001", "QEMU NVMe Ctrl");
        byte[] d = disk("nvme2n1", "BOOT0001", "QEMU NVMe Ctrl");
        Tools.Run two = step();
        assertEquals(1, two.exit(), two.output());
        assertEquals("boot disk nvme0 (serial BOOT0001 model QEMU NVMe Ctrl) fits several disks: nvme1n1 nvme2n1; "
                + "nothing written", reason());
        assertArrayEquals(c, Files.readAllBytes(dev.resolve("nvme1n1")));
        assertArrayEquals(d, Files.readAllBytes(dev.resolve("nvme2n1")));
    }

    private static void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String query = ex.getRequestURI().getRawQuery();
            if (!"token=t0k3n".equals(query) && !path.startsWith("/files/")) {
                ex.sendResponseHeaders(403, -1);
                return;
            }
            if (path.equals("/config/n01/deploy")) {
                send(ex, 200, deploy.getBytes(StandardCharsets.UTF_8));
            } else if (path.equals("/report/n01")) {
                try (InputStream in = ex.getRequestBody()) {
                    reports.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
                send(ex, 200, "ok\n".getBytes(StandardCharsets.UTF_8));
            } else {
                send(ex, 404, new byte[0]);
            }
        } catch (IOException e) {
            // a cut stream ends its exchange here
        }
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }
}

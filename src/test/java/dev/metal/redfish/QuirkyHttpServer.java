package dev.metal.redfish;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Redfish capture served over raw sockets, byte by byte as small BMC web servers do it, with
 * their quirks: HTTP/1.0 with no keep-alive, a stray CRLF after a 204, a keep-alive connection
 * dropped without a word after a few requests. Sessions are counted so that a test can see each
 * one deleted.
 */
final class QuirkyHttpServer implements AutoCloseable {
    /** How the server behaves. */
    record Quirks(boolean http10, boolean strayCrlfAfter204, int dropAfterRequests) {
        static Quirks oneRequestPerConnection() {
            return new Quirks(true, false, 0);
        }

        /** Keep-alive, a CRLF after every 204, and every connection dropped silently after n answers. */
        static Quirks keepAliveStrayCrlf(int dropAfter) {
            return new Quirks(false, true, dropAfter);
        }
    }

    private final Path capture;
    private final Quirks quirks;
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "quirky-http");
        t.setDaemon(true);
        return t;
    });
    final AtomicInteger sessionsCreated = new AtomicInteger();
    final AtomicInteger sessionsDeleted = new AtomicInteger();
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger requests = new AtomicInteger();

    QuirkyHttpServer(Path capture, Quirks quirks) throws IOException {
        this.capture = capture;
        this.quirks = quirks;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.submit(this::accept);
    }

    String address() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                connections.incrementAndGet();
                threads.submit(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            int answered = 0;
            while (true) {
                String head = readHead(in);
                if (head == null) return;
                requests.incrementAndGet();
                String[] lines = head.split("\r\n");
                String[] first = lines[0].split(" ");
                String method = first[0];
                String path = first[1].replaceAll("\\?.*", "");
                int length = 0;
                for (String l : lines) {
                    if (l.toLowerCase(Locale.ROOT).startsWith("content-length:")) length = Integer.parseInt(l.substring(15).trim());
                }
                in.readNBytes(length);
                answer(out, method, path);
                answered++;
                if (quirks.http10()) return; // one request per connection
                if (quirks.dropAfterRequests() > 0 && answered >= quirks.dropAfterRequests()) return; // without a word
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    private void answer(OutputStream out, String method, String path) throws IOException {
        String version = quirks.http10() ? "HTTP/1.0" : "HTTP/1.1";
        if (method.equals("POST") && path.equals("/redfish/v1/SessionService/Sessions")) {
            int n = sessionsCreated.incrementAndGet();
            write(out, version + " 204 No Content\r\nX-Auth-Token: token-" + n + "\r\nLocation: "
                    + "/redfish/v1/SessionService/Sessions/" + n + "\r\nContent-Length: 0\r\n\r\n");
            if (quirks.strayCrlfAfter204()) write(out, "\r\n");
            return;
        }
        if (method.equals("DELETE") && path.startsWith("/redfish/v1/SessionService/Sessions/")) {
            sessionsDeleted.incrementAndGet();
            write(out, version + " 204 No Content\r\nContent-Length: 0\r\n\r\n");
            if (quirks.strayCrlfAfter204()) write(out, "\r\n");
            return;
        }
        String rel = path.replaceFirst("^/redfish/v1/?", "").replaceAll("/+$", "");
        Path file = capture.resolve(rel).resolve("index.json");
        if (!method.equals("GET") || !Files.isRegularFile(file)) {
            write(out, version + " 404 Not Found\r\nContent-Length: 0\r\n\r\n");
            return;
        }
        byte[] body = Files.readAllBytes(file);
        write(out, version + " 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n");
        out.write(body);
        out.flush();
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** The request line and headers, or null at the end of the stream. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int matched = 0;
        while (true) {
            int c = in.read();
            if (c < 0) return null;
            b.write(c);
            matched = (c == "\r\n\r\n".charAt(matched)) ? matched + 1 : (c == '\r' ? 1 : 0);
            if (matched == 4) return b.toString(StandardCharsets.ISO_8859_1);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }
}

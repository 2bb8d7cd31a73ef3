package dev.metal.boot;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Hostile and normal clients of a boot server, over plain sockets: slow clients that send one
 * byte of a request and go silent, idle ones that connect and send nothing, and normal ones
 * that each send a whole request and read the whole answer. For the load test and the
 * benchmark (src/bench/boot-load.sh).
 */
public final class LoadClients implements AutoCloseable {
    private final InetSocketAddress server;
    private final List<Socket> held = Collections.synchronizedList(new ArrayList<>());

    public LoadClients(InetSocketAddress server) {
        this.server = server;
    }

    /** Opens {@code n} connections that send one byte of a request line and nothing more. */
    public void slow(int n) throws IOException {
        for (int i = 0; i < n; i++) {
            Socket s = new Socket();
            s.connect(server, 5_000);
            s.getOutputStream().write('G');
            s.getOutputStream().flush();
            held.add(s);
        }
    }

    /** Opens {@code n} connections that send nothing. */
    public void idle(int n) throws IOException {
        for (int i = 0; i < n; i++) {
            Socket s = new Socket();
            s.connect(server, 5_000);
            held.add(s);
        }
    }

    /** How many held connections the server has closed (a read sees the end, or a reset). */
    public int closedByServer() {
        int closed = 0;
        synchronized (held) {
            for (Socket s : held) {
                try {
                    s.setSoTimeout(1);
                    if (s.getInputStream().read() < 0) closed++;
                } catch (java.net.SocketTimeoutException stillOpen) {
                    // open
                } catch (IOException reset) {
                    closed++;
                }
            }
        }
        return closed;
    }

    /** One normal request's outcome: status (-1 when it failed), bytes of body, and time taken. */
    public record Outcome(int status, long bytes, long millis, String error) {}

    /**
     * Sends {@code total} GETs of {@code paths} (in turn) from {@code parallel} clients, each on
     * a new connection, and returns every outcome.
     */
    public List<Outcome> normal(int total, int parallel, List<String> paths) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        try {
            List<Future<Outcome>> futures = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                String path = paths.get(i % paths.size());
                futures.add(pool.submit(() -> get(path)));
            }
            List<Outcome> out = new ArrayList<>();
            for (Future<Outcome> f : futures) out.add(f.get());
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    /** One GET on a new connection; the body is read to its Content-Length. */
    public Outcome get(String path) {
        long start = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(server, 10_000);
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: load\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] all = s.getInputStream().readAllBytes();
            String text = new String(all, StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            if (!text.startsWith("HTTP/1.1 ") || end < 0) {
                return new Outcome(-1, 0, millis(start), "no answer: " + text.length() + " bytes");
            }
            int status = Integer.parseInt(text.substring(9, 12));
            long length = -1;
            for (String line : text.substring(0, end).split("\r\n")) {
                if (line.toLowerCase().startsWith("content-length:")) length = Long.parseLong(line.substring(15).strip());
            }
            long body = all.length - end - 4;
            if (length >= 0 && body != length) {
                return new Outcome(status, body, millis(start), "body " + body + " of " + length + " bytes");
            }
            return new Outcome(status, body, millis(start), null);
        } catch (IOException | RuntimeException e) {
            return new Outcome(-1, 0, millis(start), e.toString());
        }
    }

    private static long millis(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** The value at fraction {@code q} (0..1) of the sorted times. */
    public static long percentile(List<Outcome> outcomes, double q) {
        long[] t = outcomes.stream().mapToLong(Outcome::millis).toArray();
        Arrays.sort(t);
        if (t.length == 0) return 0;
        int i = (int) Math.ceil(q * t.length) - 1;
        return t[Math.max(0, Math.min(t.length - 1, i))];
    }

    @Override
    public void close() {
        synchronized (held) {
            for (Socket s : held) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
            held.clear();
        }
    }
}

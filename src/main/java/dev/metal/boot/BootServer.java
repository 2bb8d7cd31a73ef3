package dev.metal.boot;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.metal.model.Host;
import dev.metal.model.Macs;
import dev.metal.model.Site;
import dev.metal.model.SystemicException;
import dev.metal.util.Json;
import dev.metal.util.Log;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP boot server: iPXE scripts by MAC, Pixiecore's API mode, per-host configs and
 * phone-home behind the host's token, and a folder of kernels and images. It reads and
 * records through its {@link BootBackend} on each request, so one server can serve any
 * number of {@code metal provision} runs.
 */
public final class BootServer implements AutoCloseable {
    /** Where {@code metal serve} listens unless told otherwise; the lab's machines look here. */
    public static final int DEFAULT_PORT = 8067;
    public static final String DEFAULT_LISTEN = "127.0.0.1:" + DEFAULT_PORT;
    /**
     * The stages a provisioning goes through as the server sees them: its iPXE script served
     * (or refused), then what the agent (or the script, when it cannot load the kernel) reports.
     */
    public static final List<String> STAGES = List.of("script", "booted", "working", "done", "failed");
    private static final int MAX_REPORT = 16 * 1024;

    private final BootBackend backend;
    private final BootContent content;
    private final Path files;
    private final String advertise;
    private final int threads;
    private final Log log;
    private HttpServer server;
    private ThreadPoolExecutor executor;

    /**
     * @param files     the folder served under /files/ (need not exist)
     * @param advertise the base URL machines reach this server at, or null for the request's Host header
     */
    public BootServer(BootBackend backend, BootContent content, Path files, String advertise, int threads, Log log) {
        this.backend = backend;
        this.content = content;
        this.files = files.toAbsolutePath().normalize();
        this.advertise = advertise;
        this.threads = threads;
        this.log = log;
    }

    public BootServer start(InetSocketAddress listen) {
        try {
            server = HttpServer.create(listen, 128);
        } catch (IOException e) {
            throw new SystemicException("cannot listen on " + listen.getHostString() + ":" + listen.getPort()
                    + ": " + e.getMessage() + " (is another 'metal serve' running? then pass --server URL)", e);
        }
        // Bounded threads and queue; when both are full the accepting thread serves, which slows new clients down.
        AtomicInteger n = new AtomicInteger();
        executor = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(256), r -> {
            Thread t = new Thread(r, "metal-boot-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.CallerRunsPolicy());
        executor.allowCoreThreadTimeOut(true);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        return this;
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** The base URL for clients: the advertised one, else the address bound. */
    public String baseUrl() {
        if (advertise != null) return advertise;
        InetSocketAddress a = server.getAddress();
        String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
        if (host.contains(":")) host = "[" + host + "]";
        return "http://" + host + ":" + a.getPort();
    }

    @Override
    public void close() {
        if (server != null) server.stop(0);
        if (executor != null) executor.shutdownNow();
    }

    private record Reply(int status, String contentType, byte[] body) {
        static Reply text(int status, String text) {
            return new Reply(status, "text/plain; charset=utf-8", (text + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getRawPath();
            String method = ex.getRequestMethod();
            if (path.startsWith("/files/")) {
                if (!method.equals("GET") && !method.equals("HEAD")) {
                    send(ex, Reply.text(405, "GET or HEAD"));
                    return;
                }
                FileServer.serve(ex, files, path.substring("/files/".length()), this::refuse);
                return;
            }
            Reply reply;
            if (path.equals("/ipxe") || path.startsWith("/ipxe/")) {
                String mac = path.equals("/ipxe") ? query(ex, "mac") : decode(path.substring("/ipxe/".length()));
                reply = method.equals("GET") ? ipxe(ex, mac) : Reply.text(405, "GET");
            } else if (path.startsWith("/v1/boot/")) {
                reply = method.equals("GET") ? pixiecore(ex, decode(path.substring("/v1/boot/".length())))
                        : Reply.text(405, "GET");
            } else if (path.startsWith("/config/")) {
                String[] parts = path.substring("/config/".length()).split("/", -1);
                reply = !method.equals("GET") ? Reply.text(405, "GET")
                        : parts.length != 2 ? Reply.text(404, "use /config/HOST/KIND?token=...")
                        : config(ex, decode(parts[0]), decode(parts[1]));
            } else if (path.startsWith("/report/")) {
                // POST with a JSON body from the agent; GET with the query from an iPXE script, which cannot POST.
                reply = method.equals("POST") || method.equals("GET")
                        ? report(ex, decode(path.substring("/report/".length()))) : Reply.text(405, "POST or GET");
            } else if (path.startsWith("/phone-home/")) {
                reply = method.equals("POST") ? phoneHome(ex, decode(path.substring("/phone-home/".length())))
                        : Reply.text(405, "POST");
            } else {
                reply = Reply.text(404, "not found");
            }
            send(ex, reply);
        } catch (RuntimeException e) {
            // One bad request must not take the server down; the message names no secret.
            log.warn("boot server: " + ex.getRequestMethod() + " " + ex.getRequestURI().getRawPath() + ": " + e.getMessage());
            try {
                send(ex, Reply.text(500, "internal error"));
            } catch (IOException | RuntimeException ignored) {
                // headers may already be out
            }
        }
    }

    /** The known host with this MAC, or null when there is none (the refusal is journaled). */
    private Host knownHost(HttpExchange ex, String macText) {
        String mac = Macs.normalize(macText);
        Host host = mac == null ? null : backend.hostByMac(mac);
        if (host == null) refuse(ex, null, "unknown MAC", Map.of("mac", mac == null ? "invalid" : mac));
        return host;
    }

    private Reply ipxe(HttpExchange ex, String macText) {
        Host host = knownHost(ex, macText);
        if (host == null) {
            return new Reply(404, "text/plain", "#!ipxe\necho unknown machine\nexit 1\n".getBytes(StandardCharsets.UTF_8));
        }
        String token = BootTokens.live(host);
        if (token == null) {
            log.debug("boot server: local disk script for " + host.hostname());
            return new Reply(200, "text/plain; charset=utf-8", content.localDiskScript(host).getBytes(StandardCharsets.UTF_8));
        }
        String from = ex.getRemoteAddress().getAddress().getHostAddress();
        String script;
        try {
            script = content.ipxeScript(host, backend.site(), base(ex), token);
        } catch (RuntimeException e) {
            // The machine cannot boot without it: the provisioning fails now, with the reason.
            String why = "script refused: " + e.getMessage();
            backend.recordReport(host.hostname(), token, "failed", why, Map.of("from", from));
            log.warn("boot server: " + host.hostname() + ": " + why);
            return new Reply(500, "text/plain; charset=utf-8", ("#!ipxe\necho metal: no boot script for "
                    + host.hostname() + "\nexit 1\n").getBytes(StandardCharsets.UTF_8));
        }
        backend.recordReport(host.hostname(), token, "script", null, Map.of("from", from));
        log.debug("boot server: iPXE script for " + host.hostname());
        return new Reply(200, "text/plain; charset=utf-8", script.getBytes(StandardCharsets.UTF_8));
    }

    private Reply pixiecore(HttpExchange ex, String macText) {
        Host host = knownHost(ex, macText);
        if (host == null) return Reply.text(404, "unknown machine");
        String token = BootTokens.live(host);
        // Pixiecore ignores a machine it gets 404 for, and the machine boots on from its disk.
        if (token == null) return Reply.text(404, host.hostname() + " is not provisioning");
        BootContent.PixiecoreBoot boot = content.pixiecore(host, backend.site(), base(ex), token);
        try {
            return new Reply(200, "application/json", Json.mapper().writeValueAsBytes(boot));
        } catch (JsonProcessingException e) {
            throw new SystemicException("cannot write Pixiecore answer", e);
        }
    }

    private Reply config(HttpExchange ex, String hostname, String kind) {
        Auth auth = authorize(ex, hostname);
        if (auth.refusal() != null) return auth.refusal();
        Host host = auth.host();
        String text = content.config(host, auth.site(), kind, base(ex), query(ex, "token"));
        if (text == null) return Reply.text(404, hostname + " has no " + kind + " config");
        return new Reply(200, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    /** A stage report: {"stage": ..., "reason": ...} in a POST body, or stage= and reason= in a GET's query. */
    private Reply report(HttpExchange ex, String hostname) throws IOException {
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readNBytes(MAX_REPORT + 1);
        }
        Auth auth = authorize(ex, hostname);
        if (auth.refusal() != null) return auth.refusal();
        String stage;
        String reason;
        if (ex.getRequestMethod().equals("POST")) {
            if (body.length > MAX_REPORT) return Reply.text(413, "a report is at most " + MAX_REPORT + " bytes");
            com.fasterxml.jackson.databind.JsonNode json;
            try {
                json = Json.mapper().readTree(body);
            } catch (IOException e) {
                return Reply.text(400, "the report is not JSON: " + clip(e.getMessage()));
            }
            if (json == null || !json.isObject()) return Reply.text(400, "the report is not a JSON object");
            stage = json.path("stage").asText(null);
            reason = json.hasNonNull("reason") ? json.get("reason").asText() : null;
        } else {
            stage = query(ex, "stage");
            reason = query(ex, "reason");
        }
        if (stage == null || !STAGES.contains(stage) || stage.equals("script")) {
            return Reply.text(400, "stage must be one of booted, working, done, failed");
        }
        reason = reason == null || reason.isBlank() ? null : clip(reason.strip().replaceAll("\\p{Cntrl}", " "));
        String from = ex.getRemoteAddress().getAddress().getHostAddress();
        if (!backend.recordReport(hostname, query(ex, "token"), stage, reason, Map.of("from", from))) {
            return refuseNow(ex, hostname, "provisioning ended");
        }
        log.info(hostname + ": " + stage + (reason == null ? "" : " (" + reason + ")"));
        return Reply.text(200, "ok");
    }

    private Reply phoneHome(HttpExchange ex, String hostname) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            in.readNBytes(64 * 1024); // the installer may post facts; they are not needed yet
        }
        Auth auth = authorize(ex, hostname);
        if (auth.refusal() != null) return auth.refusal();
        String from = ex.getRemoteAddress().getAddress().getHostAddress();
        // The backend checks the token again as it records: the provisioning may have ended since.
        if (!backend.recordPhoneHome(hostname, query(ex, "token"), from)) {
            return refuseNow(ex, hostname, "provisioning ended");
        }
        log.info(hostname + " phoned home");
        return Reply.text(200, "ok");
    }

    /** Either the host (the query carries its live token) with its site plan, or the refusal, already journaled. */
    private record Auth(Host host, Site site, Reply refusal) {}

    private Auth authorize(HttpExchange ex, String hostname) {
        Host host = backend.host(hostname);
        if (host == null) return new Auth(null, null, refuseNow(ex, hostname, "unknown host"));
        String token = query(ex, "token");
        if (!BootTokens.valid(host, token)) {
            String why = token == null || token.isEmpty() ? "missing token"
                    : BootTokens.live(host) == null ? "no provisioning in progress" : "wrong token";
            return new Auth(null, null, refuseNow(ex, hostname, why));
        }
        return new Auth(host, backend.site(), null);
    }

    private Reply refuseNow(HttpExchange ex, String hostname, String why) {
        boolean unknown = why.equals("unknown host");
        refuse(ex, unknown ? null : hostname, why, unknown ? Map.of("host", clip(hostname)) : Map.of());
        return unknown ? Reply.text(404, "unknown host") : Reply.text(403, "forbidden: " + why);
    }

    /** Journals a refused request: the path without its query (the token stays out), who asked, and why. */
    void refuse(HttpExchange ex, String hostname, String why, Map<String, Object> more) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("path", clip(ex.getRequestURI().getRawPath()));
        detail.put("from", ex.getRemoteAddress().getAddress().getHostAddress());
        detail.put("reason", why);
        detail.putAll(more);
        log.info("boot server refused " + detail);
        backend.journalRefusal(hostname, detail);
    }

    private static String clip(String s) {
        return s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }

    private String base(HttpExchange ex) {
        if (advertise != null) return advertise;
        String hostHeader = ex.getRequestHeaders().getFirst("Host");
        return hostHeader != null && hostHeader.matches("[A-Za-z0-9.:\\[\\]-]+") ? "http://" + hostHeader : baseUrl();
    }

    static String query(HttpExchange ex, String name) {
        String q = ex.getRequestURI().getRawQuery();
        if (q == null) return null;
        for (String pair : q.split("&")) {
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            if (key.equals(name)) return eq < 0 ? "" : decode(pair.substring(eq + 1));
        }
        return null;
    }

    static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    static void send(HttpExchange ex, Reply reply) throws IOException {
        ex.getResponseHeaders().set("Content-Type", reply.contentType());
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(reply.status(), head ? -1 : reply.body().length == 0 ? -1 : reply.body().length);
        if (!head) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(reply.body());
            }
        }
    }

    /** Plain-text errors for the file server. */
    static void sendText(HttpExchange ex, int status, String text) throws IOException {
        send(ex, Reply.text(status, text));
    }

    /** How the file server reports a refused path. */
    interface Refusal {
        void refuse(HttpExchange ex, String hostname, String why, Map<String, Object> more);
    }
}

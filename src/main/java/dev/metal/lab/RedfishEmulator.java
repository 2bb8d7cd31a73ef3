package dev.metal.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;

/**
 * A Redfish BMC on loopback, for tests, the lab fleet and benchmarks. It serves a
 * resource tree held in memory (from a mockup folder or given as URI to JSON) and behaves
 * the way real BMCs do where it matters to a client: sessions with a limit, Basic auth,
 * $expand when the service root says so, ETags and If-Match, the Reset action and the
 * boot override, slow answers, few concurrent requests, and faults on demand.
 */
public final class RedfishEmulator implements AutoCloseable {
    /** Told when the emulated machine's power or boot override changes (the lab attaches a machine here). */
    public interface Listener {
        default void onReset(String systemUri, String resetType, String powerState) {}

        default void onBoot(String systemUri, JsonNode boot) {}
    }

    /** What a request over the concurrency limit gets. */
    public enum Overload { WAIT, REJECT }

    /**
     * Answers some requests in the emulator's place: how tests make a BMC fail. Each method
     * answers the request itself and returns true, or returns false to let it go on.
     */
    public interface Fault {
        /** Before the request is authenticated; {@code key} is the normalized path. */
        default boolean beforeLogin(RedfishEmulator bmc, HttpExchange ex, String key) throws IOException {
            return false;
        }

        /** After the request was authenticated. */
        default boolean afterLogin(RedfishEmulator bmc, HttpExchange ex, String key) throws IOException {
            return false;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ROOT = "/redfish/v1";
    private static final String SESSIONS = ROOT + "/sessionservice/sessions";
    static {
        // Without it, headers and body go in two segments and delayed ACKs add 40 ms to every answer.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private static final ExecutorService SHARED = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "redfish-emulator");
        t.setDaemon(true);
        return t;
    });

    /** Resources by normalized URI (lower case, no trailing slash); replaced whole, never changed in place. */
    private final Map<String, ObjectNode> resources;
    /** Resources made afresh for each GET from its query string (a log that grows). */
    private final Map<String, Function<String, JsonNode>> live = new ConcurrentHashMap<>();
    private final Map<String, Long> latencyByUri;
    /**
     * Serialized answers by path and query, from the tree as it was at {@link #version}: a
     * fleet asks every BMC the same questions, and expanding and writing a big tree per request
     * cost more CPU than the client scraping it.
     */
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    /** Answers shared with the emulators built from the same tree, used while this one's is unchanged. */
    private final Map<String, Answer> sharedAnswers;
    /**
     * Bumped before and after every change to the tree (odd while one is under way); an answer
     * is kept only when the version was the same, and even, before and after it was made.
     */
    private final AtomicLong version = new AtomicLong();
    private final String user;
    private final String password;
    private final Map<String, String> sessions = new ConcurrentHashMap<>();
    private final AtomicInteger sessionIds = new AtomicInteger();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private final AtomicLong sessionsCreated = new AtomicLong();
    private final AtomicLong sessionsDeleted = new AtomicLong();
    private final List<Fault> faults = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<Listener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final HttpServer server;
    private final Semaphore concurrency;
    private final Overload overload;
    private final boolean tls;
    private volatile long latencyMs;
    private volatile int maxSessions;
    private volatile boolean requireIfMatch;
    private volatile boolean basicAuth = true;
    private volatile boolean refuseExpand;
    private volatile boolean unresponsive;
    private volatile java.util.Queue<String> log;

    private RedfishEmulator(Builder b) {
        this.resources = new ConcurrentHashMap<>(b.resources);
        this.latencyByUri = b.latencyByUri;
        this.sharedAnswers = b.sharedAnswers;
        this.user = b.user;
        this.password = b.password;
        this.latencyMs = b.latencyMs;
        this.maxSessions = b.maxSessions;
        this.requireIfMatch = b.requireIfMatch;
        this.concurrency = b.maxConcurrent > 0 ? new Semaphore(b.maxConcurrent, true) : null;
        this.overload = b.overload;
        this.tls = b.sslContext != null;
        try {
            InetAddress bind = b.bind != null ? b.bind : InetAddress.getLoopbackAddress();
            InetSocketAddress address = new InetSocketAddress(bind, b.port);
            if (b.sslContext != null) {
                HttpsServer https = HttpsServer.create(address, 512);
                https.setHttpsConfigurator(new HttpsConfigurator(b.sslContext));
                server = https;
            } else {
                server = HttpServer.create(address, 512);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the Redfish emulator: " + e.getMessage(), e);
        }
        server.setExecutor(b.executor == null ? SHARED : b.executor);
        server.createContext("/", this::handle);
        server.start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Serves a mockup folder with its time.json latencies, on plain HTTP, user "admin" / "password". */
    public static RedfishEmulator serve(Path mockup) {
        return builder().mockup(mockup).build();
    }

    // ---- what tests and the lab read and change ----

    /** The service's base URL, e.g. http://127.0.0.1:40123. */
    public URI baseUri() {
        InetSocketAddress a = server.getAddress();
        return URI.create((tls ? "https" : "http") + "://" + a.getAddress().getHostAddress() + ":" + a.getPort());
    }

    /** The address as a rack CSV would give it. */
    public String address() {
        return baseUri().toString();
    }

    public int openSessions() {
        return sessions.size();
    }

    public long sessionsCreated() {
        return sessionsCreated.get();
    }

    public long sessionsDeleted() {
        return sessionsDeleted.get();
    }

    public long requests() {
        return requests.get();
    }

    /** Response body bytes sent. */
    public long bytes() {
        return bytes.get();
    }

    /** The most requests that were ever being served at once. */
    public int maxConcurrentSeen() {
        return maxInFlight.get();
    }

    /** Starts recording "METHOD path?query" of every request (for tests that check what a client asked). */
    public void recordRequests() {
        log = new java.util.concurrent.ConcurrentLinkedQueue<>();
    }

    public List<String> recordedRequests() {
        java.util.Queue<String> l = log;
        return l == null ? List.of() : List.copyOf(l);
    }

    public void resetCounters() {
        requests.set(0);
        bytes.set(0);
        maxInFlight.set(0);
    }

    public void latency(long millis) {
        this.latencyMs = millis;
    }

    public void maxSessions(int max) {
        this.maxSessions = max;
    }

    public void requireIfMatch(boolean required) {
        this.requireIfMatch = required;
    }

    /** Answers 400 to $expand while the service root still advertises it, as some firmware does. */
    public void refuseExpand(boolean refuse) {
        this.refuseExpand = refuse;
    }

    /** Turns Basic auth off, as some BMCs ship. */
    public void basicAuth(boolean enabled) {
        this.basicAuth = enabled;
    }

    /** When on, no request gets an answer (until the emulator closes or this is turned off): a hung BMC. */
    public void unresponsive(boolean on) {
        this.unresponsive = on;
    }

    /** Puts a fault in front of the requests (for tests). */
    public void addFault(Fault fault) {
        faults.add(fault);
    }

    /** Holds the request that calls it until the emulator closes: a BMC that never answers. */
    public void hang() {
        try {
            closing.await(10, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Answers with a status and a Redfish error body. */
    public void answerError(HttpExchange ex, int status, String message) throws IOException {
        send(ex, status, error("Base.1.0.InternalError", message));
    }

    /** Answers with these bytes as they are. */
    public void answerRaw(HttpExchange ex, int status, byte[] body) throws IOException {
        sendRaw(ex, status, body);
    }

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    /** The resource as it stands now (a copy), or null. */
    public ObjectNode resource(String uri) {
        ObjectNode node = resources.get(key(uri));
        return node == null ? null : node.deepCopy();
    }

    /** Serves {@code uri} from {@code content} (given the raw query string, or null), made afresh for each GET. */
    public void live(String uri, Function<String, JsonNode> content) {
        live.put(key(uri), content);
    }

    /** Adds or replaces a resource. */
    public void put(String uri, ObjectNode node) {
        version.incrementAndGet();
        resources.put(key(uri), node.deepCopy());
        version.incrementAndGet();
    }

    /**
     * Changes a resource in place of a copy, atomically with the BMC's own PATCH and reset:
     * its served ETag changes with it. Returns the resource as changed.
     */
    public synchronized ObjectNode update(String uri, Consumer<ObjectNode> change) {
        String key = key(uri);
        ObjectNode changed = resources.get(key).deepCopy();
        change.accept(changed);
        changed.remove("@odata.etag"); // a captured ETag named the old content
        version.incrementAndGet();
        resources.put(key, changed);
        version.incrementAndGet();
        return changed;
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
    }

    // ---- the HTTP side ----

    private void handle(HttpExchange ex) {
        try (ex) {
            requests.incrementAndGet();
            java.util.Queue<String> l = log;
            if (l != null) l.add(ex.getRequestMethod() + " " + ex.getRequestURI());
            if (concurrency != null) {
                if (overload == Overload.REJECT) {
                    if (!concurrency.tryAcquire()) {
                        send(ex, 503, error("Base.1.0.ServiceTemporarilyUnavailable", "too many concurrent requests"));
                        return;
                    }
                } else {
                    concurrency.acquireUninterruptibly();
                }
            }
            try {
                serve(ex);
            } finally {
                if (concurrency != null) concurrency.release();
            }
        } catch (IOException | RuntimeException e) {
            // The client went away or sent something odd; a BMC just drops the connection.
            if (System.getProperty("metal.emulator.debug") != null) e.printStackTrace();
        }
    }

    private void serve(HttpExchange ex) throws IOException {
        // The JDK server closes such connections but does not say so; clients (python's http.client) then reuse them.
        String connection = ex.getRequestHeaders().getFirst("Connection");
        if (connection != null && connection.equalsIgnoreCase("close")) ex.getResponseHeaders().set("Connection", "close");
        String method = ex.getRequestMethod();
        String rawPath = ex.getRequestURI().getPath();
        String key = key(rawPath);
        // Counted while the BMC "works" on the request: a client cannot have sent its next one yet.
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        try {
            sleep(latencyByUri.getOrDefault(key, latencyMs));
        } finally {
            inFlight.decrementAndGet();
        }
        if (unresponsive) {
            hang();
            return;
        }
        for (Fault f : faults) if (f.beforeLogin(this, ex, key)) return;
        if (method.equals("POST") && key.equals(SESSIONS)) {
            login(ex);
            return;
        }
        boolean open = method.equals("GET") && (key.equals(ROOT) || key.equals("/redfish"));
        if (!open && !authorized(ex)) {
            ex.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"Redfish\"");
            send(ex, 401, error("Base.1.0.NoValidSession", "authentication required"));
            return;
        }
        for (Fault f : faults) if (f.afterLogin(this, ex, key)) return;
        switch (method) {
            case "GET", "HEAD" -> get(ex, key);
            case "DELETE" -> delete(ex, key);
            case "PATCH" -> patch(ex, key);
            case "POST" -> post(ex, key);
            default -> send(ex, 405, error("Base.1.0.OperationNotAllowed", method + " not allowed"));
        }
    }

    private void login(HttpExchange ex) throws IOException {
        JsonNode body = readBody(ex);
        String u = body == null ? null : body.path("UserName").asText(null);
        String p = body == null ? null : body.path("Password").asText(null);
        if (!user.equals(u) || !password.equals(p)) {
            send(ex, 401, error("Base.1.0.NoValidSession", "invalid user name or password"));
            return;
        }
        synchronized (sessions) {
            if (sessions.size() >= maxSessions) {
                send(ex, 503, error("Base.1.0.SessionLimitExceeded", "too many sessions"));
                return;
            }
            String id = String.valueOf(sessionIds.incrementAndGet());
            String token = UUID.randomUUID().toString().replace("-", "");
            sessions.put(token, id);
            sessionsCreated.incrementAndGet();
            ObjectNode session = JSON.createObjectNode();
            String uri = ROOT + "/SessionService/Sessions/" + id;
            session.put("@odata.id", uri);
            session.put("@odata.type", "#Session.v1_0_0.Session");
            session.put("Id", id);
            session.put("UserName", u);
            ex.getResponseHeaders().set("X-Auth-Token", token);
            ex.getResponseHeaders().set("Location", uri);
            send(ex, 201, session);
        }
    }

    private boolean authorized(HttpExchange ex) {
        String token = ex.getRequestHeaders().getFirst("X-Auth-Token");
        if (token != null) return sessions.containsKey(token);
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (basicAuth && auth != null && auth.regionMatches(true, 0, "Basic ", 0, 6)) {
            String decoded = new String(Base64.getDecoder().decode(auth.substring(6).trim()), StandardCharsets.UTF_8);
            return decoded.equals(user + ":" + password);
        }
        return false;
    }

    private void get(HttpExchange ex, String key) throws IOException {
        if (key.equals(SESSIONS)) {
            ObjectNode coll = JSON.createObjectNode();
            coll.put("@odata.id", ROOT + "/SessionService/Sessions");
            coll.put("@odata.type", "#SessionCollection.SessionCollection");
            ArrayNode members = coll.putArray("Members");
            for (String id : sessions.values()) {
                members.addObject().put("@odata.id", ROOT + "/SessionService/Sessions/" + id);
            }
            coll.put("Members@odata.count", members.size());
            send(ex, 200, coll);
            return;
        }
        String query = ex.getRequestURI().getRawQuery();
        Function<String, JsonNode> made = live.get(key);
        if (made != null) {
            send(ex, 200, made.apply(query));
            return;
        }
        Expand expand = Expand.parse(query);
        if (expand != null && refuseExpand && resources.containsKey(key)) {
            send(ex, 400, error("Base.1.0.QueryNotSupported", "$expand is not supported"));
            return;
        }
        String cacheKey = expand == null ? key : key + "?" + query;
        long v = version.get();
        Map<String, Answer> cache = v == 0 && sharedAnswers != null ? sharedAnswers : answers;
        Answer answer = cache.get(cacheKey);
        if (answer == null || answer.version != v) {
            ObjectNode node = resources.get(key);
            if (node == null) {
                send(ex, 404, error("Base.1.0.ResourceMissingAtURI", "no resource at " + ex.getRequestURI().getPath()));
                return;
            }
            JsonNode out = expand != null && expandSupported() ? expand(node, expand.levels, expand) : node;
            answer = new Answer(v, JSON.writeValueAsBytes(out), etag(node));
            if (v % 2 == 0 && version.get() == v) cache.put(cacheKey, answer);
        }
        ex.getResponseHeaders().set("ETag", answer.etag);
        sendRaw(ex, 200, answer.body);
    }

    private record Answer(long version, byte[] body, String etag) {}

    /** Answers shared by the emulators of a fleet that serve one tree (see {@link Builder#shareAnswers}). */
    public static final class SharedAnswers {
        private final Map<String, Answer> byRequest = new ConcurrentHashMap<>();
    }

    private void delete(HttpExchange ex, String key) throws IOException {
        if (key.startsWith(SESSIONS + "/")) {
            String id = key.substring(SESSIONS.length() + 1);
            boolean removed = sessions.values().removeIf(id::equals);
            if (removed) {
                sessionsDeleted.incrementAndGet();
                send(ex, 204, null);
            } else {
                send(ex, 404, error("Base.1.0.ResourceMissingAtURI", "no session " + id));
            }
            return;
        }
        send(ex, 405, error("Base.1.0.OperationNotAllowed", "DELETE not allowed"));
    }

    private void patch(HttpExchange ex, String key) throws IOException {
        ObjectNode node = resources.get(key);
        if (node == null) {
            send(ex, 404, error("Base.1.0.ResourceMissingAtURI", "no resource at " + key));
            return;
        }
        String ifMatch = ex.getRequestHeaders().getFirst("If-Match");
        if (ifMatch == null && requireIfMatch) {
            send(ex, 428, error("Base.1.0.PreconditionRequired", "If-Match is required"));
            return;
        }
        if (ifMatch != null && !ifMatch.equals("*") && !ifMatch.equals(etag(node))) {
            send(ex, 412, error("Base.1.0.PreconditionFailed", "ETag does not match"));
            return;
        }
        JsonNode body = readBody(ex);
        if (!(body instanceof ObjectNode patch)) {
            send(ex, 400, error("Base.1.0.MalformedJSON", "body is not a JSON object"));
            return;
        }
        JsonNode boot = patch.get("Boot");
        if (boot != null) {
            JsonNode allowed = node.path("Boot").path("BootSourceOverrideTarget@Redfish.AllowableValues");
            String target = boot.path("BootSourceOverrideTarget").asText(null);
            if (target != null && allowed.isArray() && !contains(allowed, target)) {
                send(ex, 400, error("Base.1.0.PropertyValueNotInList", "BootSourceOverrideTarget " + target));
                return;
            }
        }
        ObjectNode changed = update(key, r -> merge(r, patch));
        if (boot != null) {
            for (Listener l : listeners) l.onBoot(changed.path("@odata.id").asText(key), changed.get("Boot"));
        }
        ex.getResponseHeaders().set("ETag", etag(changed));
        send(ex, 200, changed);
    }

    private void post(HttpExchange ex, String key) throws IOException {
        String action = "/actions/computersystem.reset";
        if (!key.endsWith(action)) {
            send(ex, 405, error("Base.1.0.OperationNotAllowed", "POST not allowed"));
            return;
        }
        String systemKey = key.substring(0, key.length() - action.length());
        ObjectNode system = resources.get(systemKey);
        if (system == null) {
            send(ex, 404, error("Base.1.0.ResourceMissingAtURI", "no system at " + systemKey));
            return;
        }
        JsonNode body = readBody(ex);
        String type = body == null ? null : body.path("ResetType").asText(null);
        JsonNode allowed = system.path("Actions").path("#ComputerSystem.Reset")
                .path("ResetType@Redfish.AllowableValues");
        if (type == null || (allowed.isArray() && !contains(allowed, type))) {
            send(ex, 400, error("Base.1.0.ActionParameterNotSupported", "ResetType " + type + " is not allowed"));
            return;
        }
        ObjectNode changed = update(systemKey, r -> {
            String before = r.path("PowerState").asText("Off");
            r.put("PowerState", switch (type) {
                case "On", "ForceOn", "ForceRestart", "GracefulRestart", "PowerCycle" -> "On";
                case "ForceOff", "GracefulShutdown" -> "Off";
                case "PushPowerButton" -> before.equals("On") ? "Off" : "On";
                default -> before;
            });
        });
        for (Listener l : listeners) {
            l.onReset(changed.path("@odata.id").asText(systemKey), type, changed.path("PowerState").asText());
        }
        send(ex, 204, null);
    }

    // ---- $expand ----

    private record Expand(char kind, int levels) {
        /** "$expand=.($levels=2)", "*", "~"; null when there is no $expand. */
        static Expand parse(String rawQuery) {
            String v = queryParameter(rawQuery, "$expand");
            if (v == null || v.isEmpty()) return null;
            int levels = 1;
            int at = v.indexOf("$levels=");
            if (at >= 0) {
                String n = v.substring(at + 8).replaceAll("[^0-9].*", "");
                if (!n.isEmpty()) levels = Integer.parseInt(n);
            }
            return new Expand(v.charAt(0), levels);
        }
    }

    /** The first value of a query parameter, decoded ("$skip" of "$skip=5&$top=2"), or null. */
    public static String queryParameter(String rawQuery, String name) {
        if (rawQuery == null) return null;
        for (String part : rawQuery.split("&")) {
            String p = URLDecoder.decode(part, StandardCharsets.UTF_8);
            if (p.startsWith(name + "=")) return p.substring(name.length() + 1);
        }
        return null;
    }

    private boolean expandSupported() {
        ObjectNode root = resources.get(ROOT);
        return root != null && root.path("ProtocolFeaturesSupported").has("ExpandQuery");
    }

    private JsonNode expand(JsonNode node, int levels, Expand how) {
        return expandIn(node.deepCopy(), levels, how, false, key(node.path("@odata.id").asText("")));
    }

    /**
     * Replaces references ({"@odata.id": x} alone) with the resources, {@code levels} deep.
     * "." expands subordinate resources only (those below {@code base}), as BMCs do: a
     * RelatedItem pointing back up the tree is left a link.
     */
    private JsonNode expandIn(JsonNode node, int levels, Expand how, boolean inLinks, String base) {
        if (levels <= 0) return node;
        if (node instanceof ObjectNode obj) {
            Iterator<Map.Entry<String, JsonNode>> fields = obj.fields();
            Map<String, JsonNode> replaced = new HashMap<>();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                boolean links = inLinks || f.getKey().equals("Links");
                JsonNode value = f.getValue();
                JsonNode target = referenced(value);
                boolean wanted = links ? how.kind != '.' : how.kind != '~';
                if (target != null && wanted && !f.getKey().startsWith("@") && allowed(how, value, base)) {
                    String id = key(value.get("@odata.id").asText());
                    replaced.put(f.getKey(), expandIn(target.deepCopy(), levels - 1, how, false, id));
                } else if (value.isContainerNode()) {
                    expandIn(value, levels, how, links, base);
                }
            }
            replaced.forEach(obj::set);
        } else if (node instanceof ArrayNode arr) {
            for (int i = 0; i < arr.size(); i++) {
                JsonNode target = referenced(arr.get(i));
                boolean wanted = inLinks ? how.kind != '.' : how.kind != '~';
                if (target != null && wanted && allowed(how, arr.get(i), base)) {
                    String id = key(arr.get(i).get("@odata.id").asText());
                    arr.set(i, expandIn(target.deepCopy(), levels - 1, how, false, id));
                } else if (arr.get(i).isContainerNode()) {
                    expandIn(arr.get(i), levels, how, inLinks, base);
                }
            }
        }
        return node;
    }

    private static boolean allowed(Expand how, JsonNode ref, String base) {
        return how.kind != '.' || key(ref.get("@odata.id").asText()).startsWith(base + "/");
    }

    private JsonNode referenced(JsonNode value) {
        if (value instanceof ObjectNode o && o.size() == 1 && o.has("@odata.id")) {
            return resources.get(key(o.get("@odata.id").asText()));
        }
        return null;
    }

    // ---- helpers ----

    /** Normalized resource key: path only, lower case, no trailing slash. */
    /** A path as the emulator files resources: lower case, no trailing slash. */
    public static String key(String uri) {
        String p = uri;
        int q = p.indexOf('?');
        if (q >= 0) p = p.substring(0, q);
        p = p.toLowerCase(Locale.ROOT);
        while (p.length() > 1 && p.endsWith("/")) p = p.substring(0, p.length() - 1);
        return p;
    }

    private static String etag(JsonNode node) {
        JsonNode declared = node.get("@odata.etag");
        if (declared != null && declared.isTextual()) return declared.asText();
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(node.toString().getBytes(StandardCharsets.UTF_8));
            return "W/\"" + HexFormat.of().formatHex(digest, 0, 8) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean contains(JsonNode array, String value) {
        for (JsonNode v : array) if (v.asText().equals(value)) return true;
        return false;
    }

    private static void merge(ObjectNode target, ObjectNode patch) {
        patch.fields().forEachRemaining(f -> {
            JsonNode existing = target.get(f.getKey());
            if (existing instanceof ObjectNode eo && f.getValue() instanceof ObjectNode po) {
                merge(eo, po);
            } else {
                target.set(f.getKey(), f.getValue());
            }
        });
    }

    private static JsonNode readBody(HttpExchange ex) {
        try (InputStream in = ex.getRequestBody()) {
            byte[] body = in.readAllBytes();
            return body.length == 0 ? null : JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    private static ObjectNode error(String id, String message) {
        ObjectNode e = JSON.createObjectNode();
        ObjectNode inner = e.putObject("error");
        inner.put("code", id);
        inner.put("message", message);
        return e;
    }

    private void send(HttpExchange ex, int status, JsonNode body) throws IOException {
        if (body == null) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        sendRaw(ex, status, JSON.writeValueAsBytes(body));
    }

    private void sendRaw(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        ex.getResponseHeaders().set("OData-Version", "4.0");
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
            bytes.addAndGet(body.length);
        }
    }

    private void sleep(long millis) {
        if (millis <= 0) return;
        try {
            closing.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- building ----

    /** Reads a mockup folder: {@code <folder>/<path>/index.json} is {@code /redfish/v1/<path>}. */
    public static Map<String, ObjectNode> readMockup(Path folder) {
        Map<String, ObjectNode> out = new HashMap<>();
        try {
            readEach(folder, "index.json").forEach((key, node) -> {
                if (node instanceof ObjectNode o) out.put(key, o);
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read mockup " + folder + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** Reads the per-resource latencies of a capture: {@code time.json} holds {"GET_Time": "0.27"} in seconds. */
    public static Map<String, Long> readTimes(Path folder) {
        Map<String, Long> out = new HashMap<>();
        try {
            for (Map.Entry<String, JsonNode> e : readEach(folder, "time.json").entrySet()) {
                JsonNode t = e.getValue().get("GET_Time");
                if (t != null) out.put(e.getKey(), Math.round(Double.parseDouble(t.asText()) * 1000));
            }
        } catch (IOException | NumberFormatException e) {
            throw new IllegalArgumentException("cannot read latencies of " + folder + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** Every {@code <folder>/<path>/<fileName>} as JSON, by the key of {@code /redfish/v1/<path>}. */
    private static Map<String, JsonNode> readEach(Path folder, String fileName) throws IOException {
        Map<String, JsonNode> out = new HashMap<>();
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.getFileName().toString().equals(fileName))::iterator) {
                String rel = folder.relativize(f.getParent()).toString().replace('\\', '/');
                out.put(key(rel.isEmpty() ? ROOT : ROOT + "/" + rel), JSON.readTree(f.toFile()));
            }
        }
        return out;
    }

    public static final class Builder {
        private final Map<String, ObjectNode> resources = new HashMap<>();
        private Map<String, Long> latencyByUri = Map.of();
        private String user = "admin";
        private String password = "password";
        private long latencyMs;
        private int maxSessions = 4;
        private int maxConcurrent;
        private Overload overload = Overload.WAIT;
        private boolean requireIfMatch;
        private SSLContext sslContext;
        private ExecutorService executor;
        private Map<String, Answer> sharedAnswers;
        private int port;
        private InetAddress bind;

        /** Serves this mockup; its time.json files, if any, are kept aside for {@link #recordedLatency()}. */
        public Builder mockup(Path folder) {
            resources.putAll(readMockup(folder));
            return this;
        }

        /** Serves these resources (URI to JSON); shared nodes are fine, the emulator never changes them in place. */
        public Builder resources(Map<String, ObjectNode> byUri) {
            byUri.forEach((k, v) -> resources.put(key(k), v));
            return this;
        }

        /** The real per-resource latency of the capture, from its time.json files. */
        public Builder recordedLatency(Path folder) {
            latencyByUri = readTimes(folder);
            return this;
        }

        public Builder latency(Map<String, Long> byUri) {
            Map<String, Long> m = new HashMap<>();
            byUri.forEach((k, v) -> m.put(key(k), v));
            latencyByUri = m;
            return this;
        }

        public Builder latencyMs(long ms) {
            latencyMs = ms;
            return this;
        }

        public Builder credentials(String u, String p) {
            user = u;
            password = p;
            return this;
        }

        public Builder maxSessions(int max) {
            maxSessions = max;
            return this;
        }

        /** At most this many requests served at once; the rest wait or get 503. */
        public Builder maxConcurrent(int max, Overload whenFull) {
            maxConcurrent = max;
            overload = whenFull;
            return this;
        }

        public Builder requireIfMatch(boolean required) {
            requireIfMatch = required;
            return this;
        }

        /** Serves HTTPS with this context (see {@link SelfSigned}). */
        public Builder tls(SSLContext context) {
            sslContext = context;
            return this;
        }

        /**
         * Shares serialized answers with the other emulators of a fleet that got the same tree
         * from {@link #resources} (each one's own changes are kept apart): the fleet then
         * expands and writes each answer once, not once per BMC.
         */
        public Builder shareAnswers(SharedAnswers cache) {
            sharedAnswers = cache.byRequest;
            return this;
        }

        /** Shares one executor between many emulators (a fleet). */
        public Builder executor(ExecutorService shared) {
            executor = shared;
            return this;
        }

        public Builder port(int p) {
            port = p;
            return this;
        }

        /** Listens on this address (default: 127.0.0.1); the lab gives each BMC its own 127.77.R.N. */
        public Builder bind(InetAddress address) {
            bind = address;
            return this;
        }

        public RedfishEmulator build() {
            return new RedfishEmulator(this);
        }
    }

    /** Counts bytes for a fleet: a helper for benchmarks. */
    public static long sum(List<RedfishEmulator> fleet, ToLongFunction<RedfishEmulator> f) {
        return fleet.stream().mapToLong(f).sum();
    }
}

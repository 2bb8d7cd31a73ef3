package dev.metal.redfish;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.metal.model.Bmc;
import dev.metal.model.BmcAddress;
import dev.metal.model.Host;
import dev.metal.util.Log;
import dev.metal.util.Secrets;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ProtocolException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import okhttp3.Call;
import okhttp3.Connection;
import okhttp3.ConnectionPool;
import okhttp3.Credentials;
import okhttp3.EventListener;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * One BMC's Redfish service: login (a session, else Basic auth), GETs with retries and a
 * limit on concurrent requests, and the session deleted at the end, also on error and on
 * Ctrl-C. TLS is trust-on-first-use: the certificate seen first is pinned by the caller,
 * and a different one later is an error naming both fingerprints.
 */
public final class RedfishClient implements AutoCloseable {
    /**
     * How to talk to a BMC, and where diagnostics go.
     *
     * @param connectTimeout how long a TCP (and TLS) connection may take to open (default 10 s)
     * @param readTimeout    how long to wait for the answer's headers, and for each next piece of it (default 30 s,
     *                       {@code --timeout})
     * @param answerTimeout  how long one request may take in all, headers and body: a BMC that dribbles an answer
     *                       a byte at a time cannot hold a scrape forever (default: the read timeout plus 30 s)
     * @param retries        retries after a timeout or a 5xx answer, with backoff (default 2); a connection that
     *                       breaks under a request (a stray byte, an empty status line, a reset) is retried once
     *                       more on a fresh connection, on top of these
     * @param maxConcurrent  requests in flight on this BMC (default 2)
     */
    public record Options(Duration connectTimeout, Duration readTimeout, Duration answerTimeout, int retries,
                          int maxConcurrent, boolean insecure, Log log) {
        public static Options defaults() {
            return new Options(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60), 2, 2, false,
                    Log.stderr());
        }

        /** The read timeout; the answer timeout follows it (30 s more), unless set after. */
        public Options withReadTimeout(Duration timeout) {
            return new Options(connectTimeout, timeout, timeout.plusSeconds(30), retries, maxConcurrent, insecure, log);
        }

        public Options withConnectTimeout(Duration timeout) {
            return new Options(timeout, readTimeout, answerTimeout, retries, maxConcurrent, insecure, log);
        }

        public Options withAnswerTimeout(Duration timeout) {
            return new Options(connectTimeout, readTimeout, timeout, retries, maxConcurrent, insecure, log);
        }

        public Options withMaxConcurrent(int max) {
            return new Options(connectTimeout, readTimeout, answerTimeout, retries, max, insecure, log);
        }

        public Options withInsecure(boolean value) {
            return new Options(connectTimeout, readTimeout, answerTimeout, retries, maxConcurrent, value, log);
        }

        public Options withRetries(int value) {
            return new Options(connectTimeout, readTimeout, answerTimeout, value, maxConcurrent, insecure, log);
        }

        public Options withLog(Log value) {
            return new Options(connectTimeout, readTimeout, answerTimeout, retries, maxConcurrent, insecure, value);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final MediaType JSON_TYPE = MediaType.get("application/json; charset=utf-8");
    private static final Set<RedfishClient> OPEN = ConcurrentHashMap.newKeySet();

    /**
     * One OkHttpClient per process; each BMC derives its own with newBuilder() and uses one of
     * a few shared connection pools. Neither extreme scales to a fleet: every pool schedules its
     * own cleanup task on OkHttp's one task runner, which scans all of them under one lock (a pool
     * per BMC had hundreds of threads waiting there), and one pool is scanned whole on every call.
     */
    private static final class Base {
        static final OkHttpClient CLIENT = new OkHttpClient.Builder().build();
        static final ConnectionPool[] POOLS = new ConnectionPool[16];

        static {
            for (int i = 0; i < POOLS.length; i++) POOLS[i] = new ConnectionPool(1024, 5, TimeUnit.SECONDS);
        }

        /**
         * Keeps no idle connection: each one is closed when its answer is read, so a call here always opens a
         * fresh one. One for the process: a pool per BMC would give OkHttp's task runner a thread each.
         */
        static final ConnectionPool FRESH = new ConnectionPool(0, 1, TimeUnit.SECONDS);

        static ConnectionPool pool(URI base) {
            return POOLS[Math.floorMod(base.getAuthority().hashCode(), POOLS.length)];
        }

        static {
            Runtime.getRuntime().addShutdownHook(new Thread(RedfishClient::closeAllOpen, "redfish-logout"));
        }
    }

    private final String host;
    private final URI base;
    private final String user;
    private final String password;
    private final Options options;
    private final OkHttpClient http;
    /**
     * The same client on a connection of its own, closed after one answer: for the login (a session POST
     * must never meet a connection the BMC may have given up on) and for the one retry after a connection
     * broke under a request.
     */
    private final OkHttpClient fresh;
    private final Semaphore permits;
    /** Calls whose request went out, in part or whole: their failure may have reached the BMC. */
    private final Set<Call> sent = ConcurrentHashMap.newKeySet();
    /** Set once the BMC answered HTTP/1.0 or "Connection: close": each request then asks for its own connection. */
    private volatile boolean connectionPerRequest;
    private final PinningTrust trust;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    /** Open until login returns: Ctrl-C during login waits for the session to exist, then ends it. */
    private final java.util.concurrent.CountDownLatch loginDone = new java.util.concurrent.CountDownLatch(1);
    private volatile String token;
    private volatile String sessionUri;
    private volatile String basic;

    /**
     * @param host the host name, for messages
     * @param pinnedFingerprint the pinned certificate fingerprint, or null on first contact
     */
    public RedfishClient(String host, URI base, String user, String password, String pinnedFingerprint,
                         Options options) {
        this.host = host;
        this.base = base;
        this.user = user;
        this.password = password;
        this.options = options;
        this.permits = new Semaphore(Math.max(1, options.maxConcurrent()));
        this.trust = new PinningTrust(host, options.insecure() ? null : pinnedFingerprint);
        OkHttpClient.Builder b = Base.CLIENT.newBuilder()
                .connectionPool(Base.pool(base))
                .connectTimeout(options.connectTimeout())
                .readTimeout(options.readTimeout())
                .writeTimeout(options.readTimeout())
                .callTimeout(options.answerTimeout())
                // OkHttp would send a POST again after a broken connection: a second session, a second reset.
                // Retries are ours, and only where repeating is harmless.
                .retryOnConnectionFailure(false)
                .addNetworkInterceptor(this::oneAnswerPerConnection)
                .eventListener(new EventListener() {
                    @Override
                    public void connectionAcquired(Call call, Connection connection) {
                        connections.add(connection);
                    }

                    @Override
                    public void requestHeadersStart(Call call) {
                        sent.add(call);
                    }

                    @Override
                    public void callEnd(Call call) {
                        sent.remove(call);
                    }
                });
        if (base.getScheme().equals("https")) {
            try {
                SSLContext ctx = SSLContext.getInstance("TLS");
                ctx.init(null, new TrustManager[] {trust}, new SecureRandom());
                // The pin (or --insecure) is what vouches for the BMC: its certificate never names its IP.
                b.sslSocketFactory(ctx.getSocketFactory(), trust).hostnameVerifier((name, session) -> true);
            } catch (GeneralSecurityException e) {
                throw new RedfishException(host + ": cannot set up TLS: " + e.getMessage(), e);
            }
        }
        this.http = b.build();
        this.fresh = http.newBuilder().connectionPool(Base.FRESH).build();
    }

    /**
     * An HTTP/1.0 answer without keep-alive, or one with "Connection: close", ends its connection: the
     * server closes it (DMTF's reference server, GoAhead and older BMC stacks, some after a stray CRLF).
     * OkHttp would pool it anyway and the next request would meet a dead socket or the stray bytes. The
     * body is read here, the socket closed (the pool drops closed sockets), and from then on every request
     * to this BMC says "Connection: close" itself.
     */
    private Response oneAnswerPerConnection(okhttp3.Interceptor.Chain chain) throws IOException {
        Response r = chain.proceed(chain.request());
        boolean http10 = r.protocol() == okhttp3.Protocol.HTTP_1_0
                && !"keep-alive".equalsIgnoreCase(String.valueOf(r.header("Connection")).trim());
        boolean close = "close".equalsIgnoreCase(String.valueOf(r.header("Connection")).trim());
        if (!http10 && !close) return r;
        if (!connectionPerRequest) {
            connectionPerRequest = true;
            options.log().debug(host + ": the BMC answers " + (http10 ? "HTTP/1.0" : "Connection: close")
                    + "; one connection per request from here on");
        }
        ResponseBody body = r.body();
        byte[] data = body == null ? new byte[0] : body.bytes();
        Connection c = chain.connection();
        if (c != null) {
            try {
                c.socket().close();
            } catch (IOException e) {
                // already closed by the BMC
            }
        }
        return r.newBuilder().body(ResponseBody.create(data, body == null ? null : body.contentType())).build();
    }

    /**
     * A client for the BMC of {@code host}, at its stored address (the caller checks there is
     * one) with its stored credentials; {@code pinned} is null on first contact.
     */
    public static RedfishClient forHost(Host host, String pinned, Options options) {
        Bmc bmc = host.bmc();
        return new RedfishClient(host.hostname(), BmcAddress.baseUri(bmc.address()), bmc.user() == null ? "" : bmc.user(),
                bmc.password() == null ? "" : Secrets.resolve(bmc.password()), pinned, options);
    }

    public String host() {
        return host;
    }

    /** The fingerprint to pin: the certificate the BMC showed (null over http, before contact, or with --insecure). */
    public String fingerprint() {
        return options.insecure() ? null : trust.seen;
    }

    public long requests() {
        return requests.get();
    }

    public long bytes() {
        return bytes.get();
    }

    public int maxConcurrent() {
        return Math.max(1, options.maxConcurrent());
    }

    /** Opens a session; falls back to Basic auth when the BMC has no session service. */
    public void login() {
        OPEN.add(this);
        try {
            openSession();
        } finally {
            loginDone.countDown();
        }
    }

    private void openSession() {
        ObjectNode body = JSON.createObjectNode().put("UserName", user).put("Password", password);
        Request request = new Request.Builder().url(url("/redfish/v1/SessionService/Sessions"))
                .post(RequestBody.create(body.toString(), JSON_TYPE)).build();
        for (int attempt = 0; ; attempt++) {
            int status;
            Call call = fresh.newCall(perRequest(request));
            permits.acquireUninterruptibly();
            requests.incrementAndGet();
            try (Response r = call.execute()) {
                status = r.code();
                if (r.isSuccessful()) {
                    token = r.header("X-Auth-Token");
                    String location = r.header("Location");
                    if (location == null) {
                        JsonNode json = parse(r, "/redfish/v1/SessionService/Sessions");
                        location = json.path("@odata.id").asText(null);
                    }
                    sessionUri = location;
                    if (token == null) throw new RedfishException(host + ": BMC gave no X-Auth-Token for the session");
                    return;
                }
            } catch (IOException e) {
                // Sent is sent: the BMC may have opened a session whose token never reached us, and a second
                // POST would open another. Only a request that never left is tried again.
                boolean wentOut = sent.remove(call);
                if (!wentOut && attempt < options.retries() && retryable(e)) {
                    backoff(attempt);
                    continue;
                }
                RedfishException f = failure("/redfish/v1/SessionService/Sessions", e);
                if (wentOut && trust.changed == null) {
                    f = new RedfishException(f.getMessage() + " (the login is not sent twice: the BMC may hold a"
                            + " session from it until it times out)", e);
                }
                throw f;
            } finally {
                permits.release();
            }
            if (status == 401 || status == 403) {
                // Some BMCs keep sessions from some accounts and take Basic auth from them all the same.
                if (basicWorks()) {
                    options.log().debug(host + ": the session login was refused (" + status + "); Basic auth works");
                    return;
                }
                throw new RedfishException(host + ": BMC refused the login (" + status + "): check bmc_user and bmc_password");
            }
            if (status == 404 || status == 405 || status == 501) {
                options.log().debug(host + ": no session service (" + status + "), using Basic auth");
                basic = Credentials.basic(user, password);
                return;
            }
            if (status >= 500 && attempt < options.retries()) {
                backoff(attempt);
                continue;
            }
            if (status == 503) {
                throw new RedfishException(host + ": BMC has no free session (503, too many sessions open)");
            }
            throw new RedfishException(host + ": login failed with HTTP " + status);
        }
    }

    /** Whether the BMC takes Basic auth with these credentials: then it is used from here on. */
    private boolean basicWorks() {
        basic = Credentials.basic(user, password);
        Request.Builder rb = new Request.Builder().url(url("/redfish/v1/Systems")).header("Accept", "application/json");
        authorize(rb);
        try (Response r = call(rb.build())) {
            if (r.isSuccessful()) return true;
        } catch (IOException e) {
            // a refusal after all
        }
        basic = null;
        return false;
    }

    /** GETs one resource (a path or a full URL). 404 gives null; other failures throw. */
    public JsonNode get(String uri) {
        return get(uri, null);
    }

    private JsonNode get(String uri, String[] etagOut) {
        Request.Builder rb = new Request.Builder().url(url(uri)).header("Accept", "application/json");
        authorize(rb);
        Request request = rb.build();
        boolean renewed = false;
        boolean onFresh = false;
        for (int attempt = 0; ; attempt++) {
            permits.acquireUninterruptibly();
            try (Response r = send(request, onFresh)) {
                if (r.code() == 404) return null;
                if (r.code() >= 500 && attempt < options.retries()) {
                    backoff(attempt);
                    continue;
                }
                if (!r.isSuccessful()) {
                    throw new HttpStatusException(host + ": " + shortPath(uri) + " answered HTTP " + r.code(), r.code());
                }
                if (etagOut != null) etagOut[0] = r.header("ETag");
                return parse(r, uri);
            } catch (IOException e) {
                if (!renewed && brokenConnection(e)) {
                    // Once, on a connection of its own: this one was dead or out of step with the BMC.
                    options.log().debug(host + ": " + shortPath(uri) + ": " + e + "; again on a fresh connection");
                    renewed = true;
                    onFresh = true;
                    attempt--;
                    continue;
                }
                onFresh = false;
                if (attempt < options.retries() && retryable(e)) {
                    backoff(attempt);
                    continue;
                }
                throw failure(uri, e);
            } finally {
                permits.release();
            }
        }
    }

    /** A resource with the ETag it was served with (header, else @odata.etag), for a later If-Match. */
    public record Resource(JsonNode body, String etag) {}

    /** GETs one resource with its ETag; a missing resource is an error here. */
    public Resource read(String uri) {
        String[] etag = new String[1];
        JsonNode body = get(uri, etag);
        if (body == null) throw new HttpStatusException(host + ": " + shortPath(uri) + " answered HTTP 404", 404);
        String tag = etag[0] != null ? etag[0] : body.path("@odata.etag").asText(null);
        return new Resource(body, tag);
    }

    /** POSTs an action; not retried, since the BMC may have acted. Returns the answer's body, or null. */
    public JsonNode post(String uri, JsonNode body) {
        return write("POST", uri, body, null, 0);
    }

    /**
     * PATCHes a resource with If-Match when an ETag is given. 412 and 428 (the BMC wants a
     * current ETag) throw {@link HttpStatusException} so that the caller reads again.
     */
    public JsonNode patch(String uri, JsonNode body, String etag) {
        return write("PATCH", uri, body, etag, options.retries());
    }

    private JsonNode write(String method, String uri, JsonNode body, String etag, int retries) {
        Request.Builder rb = new Request.Builder().url(url(uri)).header("Accept", "application/json")
                .method(method, RequestBody.create(body.toString(), JSON_TYPE));
        authorize(rb);
        if (etag != null) rb.header("If-Match", etag);
        Request request = rb.build();
        // A POST is an action the BMC may take twice: it goes on a connection of its own, never a pooled one
        // the BMC may have dropped, and is not sent again. A PATCH sets a value: once more after a broken connection.
        boolean onFresh = method.equals("POST");
        boolean renewed = onFresh;
        for (int attempt = 0; ; attempt++) {
            permits.acquireUninterruptibly();
            try (Response r = send(request, onFresh)) {
                if (r.code() >= 500 && attempt < retries) {
                    backoff(attempt);
                    continue;
                }
                if (!r.isSuccessful()) {
                    throw new HttpStatusException(host + ": " + method + " " + shortPath(uri) + " answered HTTP "
                            + r.code() + redfishMessage(r), r.code());
                }
                ResponseBody answer = r.body();
                byte[] data = answer == null ? new byte[0] : answer.bytes();
                bytes.addAndGet(data.length);
                return data.length == 0 ? null : JSON.readTree(data);
            } catch (JsonProcessingException e) {
                return null; // the action was taken; an unreadable confirmation body does not undo it
            } catch (IOException e) {
                if (!renewed && brokenConnection(e)) {
                    renewed = true;
                    onFresh = true;
                    attempt--;
                    continue;
                }
                if (attempt < retries && retryable(e)) {
                    backoff(attempt);
                    continue;
                }
                throw failure(uri, e);
            } finally {
                permits.release();
            }
        }
    }

    /** The first message of a Redfish error body, if there is one, for error messages. */
    private static String redfishMessage(Response r) {
        try {
            ResponseBody body = r.body();
            if (body == null) return "";
            JsonNode error = JSON.readTree(body.bytes()).path("error");
            String message = error.path("@Message.ExtendedInfo").path(0).path("Message").asText(
                    error.path("message").asText(""));
            return message.isEmpty() ? "" : " (" + message + ")";
        } catch (IOException e) {
            return "";
        }
    }

    private void authorize(Request.Builder rb) {
        if (token != null) rb.header("X-Auth-Token", token);
        else if (basic != null) rb.header("Authorization", basic);
    }

    /** An HTTP error status from the BMC. */
    public static final class HttpStatusException extends RedfishException {
        private final int status;

        HttpStatusException(String message, int status) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /** Ends the session and closes the connections; never throws (it runs on error paths). */
    @Override
    public void close() {
        OPEN.remove(this);
        String uri = sessionUri;
        String t = token;
        sessionUri = null;
        token = null;
        if (uri == null || t == null) {
            closeConnections();
            return;
        }
        Request request = perRequest(new Request.Builder().url(url(uri)).header("X-Auth-Token", t).delete().build());
        try {
            for (int attempt = 0; ; attempt++) {
                // A DELETE may be repeated: on a broken connection, once more on a fresh one.
                // Bounded shorter than a read: this runs on error paths and on Ctrl-C; long enough for a busy BMC.
                OkHttpClient client = (attempt == 0 ? http : fresh).newBuilder()
                        .readTimeout(min(options.readTimeout(), Duration.ofSeconds(10)))
                        .callTimeout(min(options.answerTimeout(), Duration.ofSeconds(15))).build();
                try (Response r = client.newCall(request).execute()) {
                    if (!r.isSuccessful() && r.code() != 404) {
                        options.log().warn(host + ": deleting the BMC session gave HTTP " + r.code());
                    }
                    return;
                } catch (IOException e) {
                    if (attempt == 0 && brokenConnection(e)) continue;
                    options.log().warn(host + ": could not delete the BMC session: " + e.getMessage());
                    return;
                }
            }
        } finally {
            closeConnections();
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Closes this BMC's connections (BMCs have few to give); the shared pool drops them on next use. */
    private void closeConnections() {
        for (Connection c : connections) {
            try {
                c.socket().close();
            } catch (IOException e) {
                // already gone
            }
        }
        connections.clear();
    }

    /** Ctrl-C: end every session still open. */
    static void closeAllOpen() {
        for (RedfishClient c : OPEN.toArray(new RedfishClient[0])) {
            try {
                c.loginDone.await(3, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            c.close();
        }
    }

    // ---- internals ----

    private Response call(Request request) throws IOException {
        permits.acquireUninterruptibly();
        try {
            return send(request);
        } finally {
            permits.release();
        }
    }

    private Response send(Request request) throws IOException {
        return send(request, false);
    }

    private Response send(Request request, boolean onFresh) throws IOException {
        requests.incrementAndGet();
        return (onFresh ? fresh : http).newCall(perRequest(request)).execute();
    }

    /** The request as this BMC wants it: asking for its own connection once the BMC showed it keeps none. */
    private Request perRequest(Request request) {
        return connectionPerRequest ? request.newBuilder().header("Connection", "close").build() : request;
    }

    /**
     * Whether the connection broke under the request (reset, closed, a stray byte or an empty line where
     * the status line belongs, an answer cut short): a fresh connection may well succeed. Timeouts,
     * refused connections, TLS and certificate failures are not this.
     */
    private boolean brokenConnection(IOException e) {
        if (trust.changed != null || e instanceof SSLException || e instanceof InterruptedIOException
                || e instanceof java.net.ConnectException || e instanceof java.net.UnknownHostException) {
            return false;
        }
        return !String.valueOf(e.getMessage()).contains("follow-up");
    }

    /** The answer's JSON; an answer cut short is an IOException, for the caller's retry. */
    private JsonNode parse(Response r, String uri) throws IOException {
        ResponseBody body = r.body();
        byte[] data = body == null ? new byte[0] : body.bytes();
        bytes.addAndGet(data.length);
        if (data.length == 0) {
            throw new RedfishException(host + ": " + shortPath(uri) + " answered an empty body (HTTP " + r.code() + ")");
        }
        try {
            return JSON.readTree(data);
        } catch (JsonProcessingException e) {
            String type = r.header("Content-Type");
            throw new RedfishException(host + ": " + shortPath(uri) + " answered malformed JSON ("
                    + e.getOriginalMessage().lines().findFirst().orElse("") + ")"
                    + (type != null && !type.toLowerCase(java.util.Locale.ROOT).contains("json")
                    ? ", Content-Type " + type : ""));
        }
    }

    private RedfishException failure(String uri, IOException e) {
        if (trust.changed != null) return trust.changed;
        String where = host + ": " + shortPath(uri);
        if (e instanceof java.net.SocketTimeoutException && String.valueOf(e.getMessage()).contains("connect")) {
            return new RedfishException(where + ": no connection within " + options.connectTimeout().toSeconds() + " s", e);
        }
        if (e instanceof InterruptedIOException && !(e instanceof java.net.SocketTimeoutException)) {
            // OkHttp's call timeout: the answer did not arrive in full in time (a dribbling body, slow headers).
            return new RedfishException(where + " did not answer in full within " + options.answerTimeout().toSeconds()
                    + " s", e);
        }
        if (e instanceof InterruptedIOException) {
            return new RedfishException(where + " timed out after " + options.readTimeout().toSeconds() + " s", e);
        }
        if (e instanceof ProtocolException && String.valueOf(e.getMessage()).contains("follow-up")) {
            return new RedfishException(where + " redirects in a loop", e);
        }
        if (e instanceof SSLException) {
            return new RedfishException(where + ": TLS failed: " + e.getMessage(), e);
        }
        return new RedfishException(where + ": " + dev.metal.util.Messages.of(e), e);
    }

    private boolean retryable(IOException e) {
        if (trust.changed != null || e instanceof SSLException) return false;
        return !(e instanceof ProtocolException);
    }

    private static void backoff(int attempt) {
        try {
            Thread.sleep(200L << attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String url(String uri) {
        if (uri.startsWith("http://") || uri.startsWith("https://")) return uri;
        return base.toString() + (uri.startsWith("/") ? uri : "/" + uri);
    }

    private static String shortPath(String uri) {
        int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
    }

    /** SHA-256 of a certificate: "sha256:ab:cd:...". */
    public static String fingerprint(X509Certificate cert) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
            return "sha256:" + HexFormat.ofDelimiter(":").formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Trust on first use: accept and remember the first certificate, then only that one. */
    private static final class PinningTrust implements X509TrustManager {
        private final String host;
        /** Null on first contact and with --insecure: any certificate is taken. */
        private final String pinned;
        volatile String seen;
        volatile CertificateChangedException changed;

        PinningTrust(String host, String pinned) {
            this.host = host;
            this.pinned = pinned;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            if (chain == null || chain.length == 0) throw new CertificateException("no certificate");
            String fp = fingerprint(chain[0]);
            seen = fp;
            if (pinned == null || pinned.equalsIgnoreCase(fp)) return;
            changed = new CertificateChangedException(host, pinned, fp);
            throw new CertificateException(changed.getMessage());
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("not a server");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}

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
    /** How to talk to a BMC, and where diagnostics go. */
    public record Options(Duration connectTimeout, Duration readTimeout, int retries, int maxConcurrent,
                          boolean insecure, Log log) {
        public static Options defaults() {
            return new Options(Duration.ofSeconds(10), Duration.ofSeconds(30), 2, 2, false, Log.stderr());
        }

        public Options withReadTimeout(Duration timeout) {
            return new Options(connectTimeout, timeout, retries, maxConcurrent, insecure, log);
        }

        public Options withMaxConcurrent(int max) {
            return new Options(connectTimeout, readTimeout, retries, max, insecure, log);
        }

        public Options withInsecure(boolean value) {
            return new Options(connectTimeout, readTimeout, retries, maxConcurrent, value, log);
        }

        public Options withRetries(int value) {
            return new Options(connectTimeout, readTimeout, value, maxConcurrent, insecure, log);
        }

        public Options withLog(Log value) {
            return new Options(connectTimeout, readTimeout, retries, maxConcurrent, insecure, value);
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
    private final Semaphore permits;
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
                .retryOnConnectionFailure(true)
                .eventListener(new EventListener() {
                    @Override
                    public void connectionAcquired(Call call, Connection connection) {
                        connections.add(connection);
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
            try (Response r = call(request)) {
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
                if (attempt < options.retries() && retryable(e)) {
                    backoff(attempt);
                    continue;
                }
                throw failure("/redfish/v1/SessionService/Sessions", e);
            }
            if (status == 401 || status == 403) {
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

    /** GETs one resource (a path or a full URL). 404 gives null; other failures throw. */
    public JsonNode get(String uri) {
        return get(uri, null);
    }

    private JsonNode get(String uri, String[] etagOut) {
        Request.Builder rb = new Request.Builder().url(url(uri)).header("Accept", "application/json");
        authorize(rb);
        Request request = rb.build();
        for (int attempt = 0; ; attempt++) {
            permits.acquireUninterruptibly();
            try (Response r = send(request)) {
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
        for (int attempt = 0; ; attempt++) {
            try (Response r = call(request)) {
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
                if (attempt < retries && retryable(e)) {
                    backoff(attempt);
                    continue;
                }
                throw failure(uri, e);
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
        Request request = new Request.Builder().url(url(uri)).header("X-Auth-Token", t).delete().build();
        try (Response r = http.newBuilder().readTimeout(Duration.ofSeconds(5)).build().newCall(request).execute()) {
            if (!r.isSuccessful() && r.code() != 404) options.log().warn(host + ": deleting the BMC session gave HTTP " + r.code());
        } catch (IOException e) {
            options.log().warn(host + ": could not delete the BMC session: " + e.getMessage());
        } finally {
            closeConnections();
        }
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
        requests.incrementAndGet();
        return http.newCall(request).execute();
    }

    private JsonNode parse(Response r, String uri) {
        try {
            ResponseBody body = r.body();
            byte[] data = body == null ? new byte[0] : body.bytes();
            bytes.addAndGet(data.length);
            if (data.length == 0) throw new RedfishException(host + ": " + shortPath(uri) + " answered an empty body");
            return JSON.readTree(data);
        } catch (JsonProcessingException e) {
            throw new RedfishException(host + ": " + shortPath(uri) + " answered malformed JSON ("
                    + e.getOriginalMessage().lines().findFirst().orElse("") + ")");
        } catch (IOException e) {
            throw failure(uri, e);
        }
    }

    private RedfishException failure(String uri, IOException e) {
        if (trust.changed != null) return trust.changed;
        String where = host + ": " + shortPath(uri);
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

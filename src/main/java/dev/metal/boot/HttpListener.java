package dev.metal.boot;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpPrincipal;
import dev.metal.util.Log;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * HTTP/1.1 connections for the boot server, written for a network where some clients are
 * hostile or broken. Each connection has a thread of its own (a virtual thread on JDK 21 and
 * newer), and every wait on a client has a deadline:
 * <ul>
 *   <li>a new connection must deliver its request line and headers within the header timeout;</li>
 *   <li>a kept-alive connection may sit idle for the idle timeout, then the header timeout runs;</li>
 *   <li>a request body must arrive in full within the body timeout;</li>
 *   <li>a response write that makes no progress for the write timeout ends the connection.</li>
 * </ul>
 * Connections are bounded: at the limit, the connection that has waited longest for its
 * request (idle, or still sending headers) is closed to make room; when none is waiting,
 * the new one gets a 503. A housekeeping thread closes the connections past their deadline.
 * Handlers see a {@link HttpExchange} with the JDK server's semantics, so that route code does
 * not depend on which server carries it.
 */
final class HttpListener implements AutoCloseable {
    private static final int MAX_LINE = 8 * 1024;
    private static final int MAX_HEADER_BYTES = 32 * 1024;
    private static final int MAX_HEADERS = 100;
    /** Unread request body left by a handler that is drained to keep the connection; more closes it. */
    private static final long MAX_DRAIN = 64 * 1024;
    private static final int WRITE_SLICE = 64 * 1024;
    private static final long NO_DEADLINE = Long.MAX_VALUE;
    private static final DateTimeFormatter HTTP_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US);

    private final BootServer.Limits limits;
    private final HttpHandler handler;
    private final Log log;
    private final Runnable housekeeping;
    private final ServerSocket socket;
    private final ThreadFactory workers;
    private final boolean virtualThreads;
    private final Set<Conn> live = ConcurrentHashMap.newKeySet();
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicLong evicted = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong timedOut = new AtomicLong();
    private final Thread acceptor;
    private final Thread reaper;
    private volatile boolean closed;

    HttpListener(InetSocketAddress listen, BootServer.Limits limits, HttpHandler handler, Log log,
                 Runnable housekeeping) throws IOException {
        this.limits = limits;
        this.handler = handler;
        this.log = log;
        this.housekeeping = housekeeping;
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        try {
            s.bind(listen, 128);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        this.socket = s;
        ThreadFactory virtual = VirtualThreads.factory("metal-boot-");
        this.virtualThreads = virtual != null;
        this.workers = virtual != null ? virtual : platformThreads();
        this.acceptor = daemon(this::acceptLoop, "metal-boot-accept");
        this.reaper = daemon(this::reapLoop, "metal-boot-deadlines");
    }

    HttpListener start() {
        acceptor.start();
        reaper.start();
        return this;
    }

    InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    boolean virtualThreads() {
        return virtualThreads;
    }

    /** Connections open now, closed at the limit to make room, refused with 503, and ended by a deadline. */
    record Stats(int open, long evicted, long rejected, long timedOut) {}

    Stats stats() {
        return new Stats(count.get(), evicted.get(), rejected.get(), timedOut.get());
    }

    @Override
    public void close() {
        closed = true;
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
        for (Conn c : live) c.kill();
        acceptor.interrupt();
        reaper.interrupt();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static ThreadFactory platformThreads() {
        AtomicInteger n = new AtomicInteger();
        // Small stacks: a connection's thread mostly waits on its socket.
        return r -> {
            Thread t = new Thread(null, r, "metal-boot-" + n.incrementAndGet(), 512 * 1024);
            t.setDaemon(true);
            return t;
        };
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = socket.accept();
            } catch (IOException e) {
                if (closed) return;
                log.warn("boot server: accept failed: " + e.getMessage());
                sleepQuietly(50);
                continue;
            }
            if (count.incrementAndGet() > limits.maxConnections() && !makeRoom()) {
                count.decrementAndGet();
                rejected.incrementAndGet();
                refuseBusy(s);
                continue;
            }
            Conn c = new Conn(s);
            live.add(c);
            try {
                workers.newThread(c).start();
            } catch (RuntimeException | OutOfMemoryError e) {
                live.remove(c);
                count.decrementAndGet();
                c.kill();
                log.warn("boot server: cannot start a connection thread: " + e.getMessage());
            }
        }
    }

    /** Closes the connection that has waited longest for a request, if any waits; true when room was made. */
    private boolean makeRoom() {
        Conn oldest = null;
        for (Conn c : live) {
            if (c.waitingForRequest && !c.dead && (oldest == null || c.waitingSince < oldest.waitingSince)) oldest = c;
        }
        if (oldest == null) return false;
        oldest.kill();
        evicted.incrementAndGet();
        return true;
    }

    /** A short 503 that fits the socket buffer, so that writing it never blocks the accepting thread. */
    private static void refuseBusy(Socket s) {
        try (s) {
            s.getOutputStream().write(("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
                    + "Content-Length: 5\r\nRetry-After: 1\r\nConnection: close\r\n\r\nbusy\n")
                    .getBytes(StandardCharsets.US_ASCII));
        } catch (IOException ignored) {
            // the client went away
        }
    }

    private void reapLoop() {
        long lastHousekeeping = System.nanoTime();
        while (!closed) {
            sleepQuietly(100);
            long now = System.nanoTime();
            for (Conn c : live) {
                if (now - c.deadline > 0 && c.deadline != NO_DEADLINE) {
                    timedOut.incrementAndGet();
                    c.kill();
                }
            }
            if (now - lastHousekeeping >= TimeUnit.SECONDS.toNanos(1)) {
                lastHousekeeping = now;
                try {
                    housekeeping.run();
                } catch (RuntimeException e) {
                    log.warn("boot server: " + e.getMessage());
                }
            }
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Thrown for a request that cannot be served; the connection answers with the status and closes. */
    private static final class BadRequest extends Exception {
        final int status;

        BadRequest(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    /** One client connection, with its thread. */
    private final class Conn implements Runnable {
        final Socket socket;
        /** System.nanoTime() by which the current wait must end, else the reaper closes the socket. */
        volatile long deadline = NO_DEADLINE;
        volatile boolean waitingForRequest;
        volatile long waitingSince;
        volatile boolean dead;
        InputStream in;
        OutputStream out;

        Conn(Socket socket) {
            this.socket = socket;
            // Waiting for its request from the moment it is accepted, before its thread runs.
            this.waitingSince = System.nanoTime();
            this.waitingForRequest = true;
        }

        void kill() {
            dead = true;
            try {
                socket.close();
            } catch (IOException ignored) {
                // already closed
            }
        }

        long after(java.time.Duration d) {
            return System.nanoTime() + d.toNanos();
        }

        @Override
        public void run() {
            try {
                socket.setTcpNoDelay(true);
                in = new BufferedInputStream(socket.getInputStream(), 8192);
                out = new BufferedOutputStream(new GuardedOutput(this, socket.getOutputStream()), 16 * 1024);
                boolean first = true;
                while (!dead && !closed) {
                    if (!serveOne(first)) break;
                    first = false;
                }
            } catch (IOException e) {
                // the client went away, or a deadline passed: nothing to answer
            } finally {
                kill();
                live.remove(this);
                count.decrementAndGet();
            }
        }

        /** Reads and answers one request; false when the connection is to close. */
        private boolean serveOne(boolean first) throws IOException {
            if (!first) waitingSince = System.nanoTime();
            waitingForRequest = true;
            // A new connection owes its headers from the start; a kept-alive one may rest first.
            deadline = first ? waitingSince + limits.header().toNanos() : after(limits.idle());
            int b;
            do {
                b = in.read();
            } while (b == '\r' || b == '\n');
            if (b < 0) return false;
            if (!first) deadline = after(limits.header());
            Exchange ex;
            try {
                ex = readRequest(b);
            } catch (BadRequest e) {
                waitingForRequest = false;
                deadline = after(limits.write());
                writeError(e.status, e.getMessage());
                return false;
            } finally {
                waitingForRequest = false;
            }
            deadline = NO_DEADLINE;
            try {
                handler.handle(ex);
            } catch (RuntimeException e) {
                log.warn("boot server: " + ex.getRequestMethod() + " " + ex.getRequestURI().getRawPath() + ": " + e);
            }
            return ex.finish();
        }

        private Exchange readRequest(int firstByte) throws IOException, BadRequest {
            int[] budget = {MAX_HEADER_BYTES};
            String requestLine = readLine(firstByte, budget);
            String[] parts = requestLine.split(" ", -1);
            if (parts.length != 3 || parts[0].isEmpty() || !parts[0].chars().allMatch(HttpListener::tokenChar)) {
                throw new BadRequest(400, "bad request line");
            }
            String protocol = parts[2];
            if (!protocol.equals("HTTP/1.1") && !protocol.equals("HTTP/1.0")) {
                throw new BadRequest(505, "HTTP/1.1 or HTTP/1.0");
            }
            URI uri;
            try {
                uri = new URI(parts[1]);
            } catch (URISyntaxException e) {
                throw new BadRequest(400, "bad request target");
            }
            if (uri.getRawPath() == null || uri.getRawPath().isEmpty()) throw new BadRequest(400, "bad request target");
            Headers headers = new Headers();
            int n = 0;
            while (true) {
                String line = readLine(-1, budget);
                if (line.isEmpty()) break;
                if (++n > MAX_HEADERS) throw new BadRequest(431, "too many header fields");
                int colon = line.indexOf(':');
                if (colon <= 0 || !line.substring(0, colon).chars().allMatch(HttpListener::tokenChar)) {
                    throw new BadRequest(400, "bad header field");
                }
                headers.add(line.substring(0, colon), line.substring(colon + 1).strip());
            }
            boolean http10 = protocol.equals("HTTP/1.0");
            String connection = String.join(",", headers.getOrDefault("Connection", List.of())).toLowerCase(Locale.ROOT);
            boolean keepAlive = http10 ? connection.contains("keep-alive") : !connection.contains("close");
            List<String> te = headers.get("Transfer-encoding");
            List<String> cl = headers.get("Content-length");
            InputStream body;
            if (te != null) {
                if (cl != null) throw new BadRequest(400, "both Transfer-Encoding and Content-Length");
                if (!String.join(",", te).strip().equalsIgnoreCase("chunked")) {
                    throw new BadRequest(501, "only chunked transfer coding");
                }
                body = new ChunkedInput(this);
            } else if (cl != null) {
                long length;
                try {
                    if (cl.size() != 1 || !cl.get(0).matches("\\d{1,18}")) throw new NumberFormatException();
                    length = Long.parseLong(cl.get(0));
                } catch (NumberFormatException e) {
                    throw new BadRequest(400, "bad Content-Length");
                }
                body = new FixedInput(this, length);
            } else {
                body = new FixedInput(this, 0);
            }
            String expect = headers.getFirst("Expect");
            boolean expectContinue = expect != null && expect.equalsIgnoreCase("100-continue") && !http10;
            return new Exchange(this, parts[0], uri, protocol, headers, body, keepAlive, expectContinue);
        }

        /** One CRLF- (or LF-) terminated line in ISO-8859-1, within the header budget. */
        private String readLine(int firstByte, int[] budget) throws IOException, BadRequest {
            StringBuilder sb = new StringBuilder(64);
            int b = firstByte >= 0 ? firstByte : in.read();
            while (true) {
                if (b < 0) throw new IOException("closed in the headers");
                if (--budget[0] < 0) throw new BadRequest(431, "request headers too large");
                if (b == '\n') break;
                if (b != '\r') {
                    if (sb.length() >= MAX_LINE) throw new BadRequest(firstByte >= 0 ? 414 : 431, "line too long");
                    if (b == 0) throw new BadRequest(400, "NUL in the headers");
                    sb.append((char) b);
                }
                b = in.read();
            }
            return sb.toString();
        }

        void writeError(int status, String message) throws IOException {
            byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
            out.write(("HTTP/1.1 " + status + " " + reason(status) + "\r\nContent-Type: text/plain; charset=utf-8\r\n"
                    + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
        }

        /** Runs a blocking read under the body deadline of the current request. */
        int bodyRead(byte[] b, int off, int len, Exchange ex) throws IOException {
            ex.startBody();
            deadline = ex.bodyDeadline;
            try {
                return in.read(b, off, len);
            } finally {
                deadline = NO_DEADLINE;
            }
        }
    }

    /** The socket's output, with the write deadline renewed for each slice that goes out. */
    private final class GuardedOutput extends OutputStream {
        private final Conn conn;
        private final OutputStream raw;

        GuardedOutput(Conn conn, OutputStream raw) {
            this.conn = conn;
            this.raw = raw;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            long saved = conn.deadline;
            try {
                while (len > 0) {
                    int n = Math.min(len, WRITE_SLICE);
                    conn.deadline = conn.after(limits.write());
                    raw.write(b, off, n);
                    off += n;
                    len -= n;
                }
            } finally {
                conn.deadline = saved;
            }
        }

        @Override
        public void flush() throws IOException {
            raw.flush();
        }
    }

    /** A body of known length. */
    private static final class FixedInput extends InputStream {
        private final Conn conn;
        private long left;
        Exchange ex;

        FixedInput(Conn conn, long length) {
            this.conn = conn;
            this.left = length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) return -1;
            if (len == 0) return 0;
            int n = conn.bodyRead(b, off, (int) Math.min(len, left), ex);
            if (n < 0) throw new IOException("request body ended early");
            left -= n;
            return n;
        }

        @Override
        public int available() throws IOException {
            return (int) Math.min(left, conn.in.available());
        }

        boolean done() {
            return left <= 0;
        }
    }

    /** A chunked body; trailers are read and dropped. */
    private static final class ChunkedInput extends InputStream {
        private static final long MAX_CHUNKED = 16L * 1024 * 1024;
        private final Conn conn;
        private long chunkLeft;
        private long total;
        private boolean ended;
        Exchange ex;

        ChunkedInput(Conn conn) {
            this.conn = conn;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (ended) return -1;
            if (len == 0) return 0;
            if (chunkLeft == 0) {
                chunkLeft = nextChunkSize();
                if (chunkLeft == 0) {
                    while (!line().isEmpty()) {
                        // trailer fields
                    }
                    ended = true;
                    return -1;
                }
            }
            int n = conn.bodyRead(b, off, (int) Math.min(len, chunkLeft), ex);
            if (n < 0) throw new IOException("request body ended early");
            chunkLeft -= n;
            if (chunkLeft == 0 && !line().isEmpty()) throw new IOException("bad chunk end");
            return n;
        }

        private long nextChunkSize() throws IOException {
            String size = line();
            int semi = size.indexOf(';');
            if (semi >= 0) size = size.substring(0, semi);
            size = size.strip();
            if (!size.matches("[0-9A-Fa-f]{1,12}")) throw new IOException("bad chunk size");
            long n = Long.parseLong(size, 16);
            total += n;
            if (total > MAX_CHUNKED) throw new IOException("request body too large");
            return n;
        }

        private String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            byte[] one = new byte[1];
            while (true) {
                int n = conn.bodyRead(one, 0, 1, ex);
                if (n < 0) throw new IOException("request body ended early");
                if (one[0] == '\n') return sb.toString();
                if (one[0] != '\r') sb.append((char) (one[0] & 0xff));
                if (sb.length() > MAX_LINE) throw new IOException("chunk line too long");
            }
        }

        boolean done() {
            return ended;
        }
    }

    /** One request and its response, as the JDK's server would hand them to a handler. */
    private final class Exchange extends HttpExchange {
        private final Conn conn;
        private final String method;
        private final URI uri;
        private final String protocol;
        private final Headers requestHeaders;
        private final Headers responseHeaders = new Headers();
        private final InputStream body;
        private final boolean expectContinue;
        private final Map<String, Object> attributes = new HashMap<>();
        private final long startedNanos = System.nanoTime();
        private boolean keepAlive;
        private InputStream filteredIn;
        private OutputStream filteredOut;
        private ResponseBody responseBody;
        private int status = -1;
        private boolean closed;
        long bodyDeadline = NO_DEADLINE;

        Exchange(Conn conn, String method, URI uri, String protocol, Headers requestHeaders, InputStream body,
                 boolean keepAlive, boolean expectContinue) {
            this.conn = conn;
            this.method = method;
            this.uri = uri;
            this.protocol = protocol;
            this.requestHeaders = requestHeaders;
            this.body = body;
            this.keepAlive = keepAlive;
            this.expectContinue = expectContinue;
            if (body instanceof FixedInput f) f.ex = this;
            if (body instanceof ChunkedInput c) c.ex = this;
        }

        /** The body deadline runs from the first read; a client that expects 100 hears it then. */
        void startBody() throws IOException {
            if (bodyDeadline != NO_DEADLINE) return;
            bodyDeadline = conn.after(limits.body());
            if (expectContinue && status < 0) {
                conn.out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                conn.out.flush();
            }
        }

        private boolean bodyDone() {
            return body instanceof FixedInput f ? f.done() : ((ChunkedInput) body).done();
        }

        @Override
        public Headers getRequestHeaders() {
            return requestHeaders;
        }

        @Override
        public Headers getResponseHeaders() {
            return responseHeaders;
        }

        @Override
        public URI getRequestURI() {
            return uri;
        }

        @Override
        public String getRequestMethod() {
            return method;
        }

        @Override
        public HttpContext getHttpContext() {
            return null;
        }

        @Override
        public InputStream getRequestBody() {
            return filteredIn != null ? filteredIn : body;
        }

        @Override
        public OutputStream getResponseBody() {
            if (filteredOut != null) return filteredOut;
            if (responseBody == null) responseBody = new ResponseBody(this);
            return responseBody;
        }

        @Override
        public void sendResponseHeaders(int rCode, long responseLength) throws IOException {
            if (status >= 0) throw new IOException("headers already sent");
            if (rCode < 100 || rCode > 999) throw new IllegalArgumentException("status " + rCode);
            status = rCode;
            if (responseBody == null) responseBody = new ResponseBody(this);
            boolean noLengthHeader = false;
            long length = responseLength;
            if ((rCode >= 100 && rCode < 200) || rCode == 204 || rCode == 304) {
                length = -1;
                noLengthHeader = rCode != 304;
            }
            if (method.equals("HEAD") || rCode == 304) {
                responseBody.mode(0, false);
            } else if (length == 0) {
                if (protocol.equals("HTTP/1.0")) {
                    keepAlive = false;
                    responseBody.mode(-1, false);
                } else {
                    responseHeaders.set("Transfer-Encoding", "chunked");
                    responseBody.mode(-1, true);
                }
            } else {
                if (length < 0) length = 0;
                if (!noLengthHeader) responseHeaders.set("Content-Length", Long.toString(length));
                responseBody.mode(length, false);
            }
            // The client's unread body would be taken for the next request: drain it later, or close.
            if (!keepAlive) responseHeaders.set("Connection", "close");
            responseHeaders.set("Date", HTTP_DATE.format(ZonedDateTime.now(ZoneOffset.UTC)));
            StringBuilder head = new StringBuilder(256);
            head.append("HTTP/1.1 ").append(rCode).append(' ').append(reason(rCode)).append("\r\n");
            for (Map.Entry<String, List<String>> h : responseHeaders.entrySet()) {
                for (String v : h.getValue()) {
                    if (v.indexOf('\r') >= 0 || v.indexOf('\n') >= 0) throw new IllegalArgumentException("CR or LF in a header");
                    head.append(h.getKey()).append(": ").append(v).append("\r\n");
                }
            }
            head.append("\r\n");
            conn.out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (responseBody.left == 0 && !responseBody.chunked && !responseBody.untilClose) conn.out.flush();
        }

        @Override
        public InetSocketAddress getRemoteAddress() {
            return (InetSocketAddress) conn.socket.getRemoteSocketAddress();
        }

        @Override
        public int getResponseCode() {
            return status;
        }

        @Override
        public InetSocketAddress getLocalAddress() {
            return (InetSocketAddress) conn.socket.getLocalSocketAddress();
        }

        @Override
        public String getProtocol() {
            return protocol;
        }

        @Override
        public Object getAttribute(String name) {
            return attributes.get(name);
        }

        @Override
        public void setAttribute(String name, Object value) {
            if (value == null) attributes.remove(name);
            else attributes.put(name, value);
        }

        @Override
        public void setStreams(InputStream i, OutputStream o) {
            if (i != null) filteredIn = i;
            if (o != null) filteredOut = o;
        }

        @Override
        public HttpPrincipal getPrincipal() {
            return null;
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            try {
                if (status < 0) {
                    // A handler that answered nothing: the JDK's server closes; say so first.
                    keepAlive = false;
                    sendResponseHeaders(500, -1);
                }
                responseBody.close();
            } catch (IOException | RuntimeException e) {
                keepAlive = false;
                conn.kill();
            }
        }

        /** Ends the exchange after the handler; true when the connection can carry another request. */
        boolean finish() {
            close();
            if (log.verbose()) {
                log.debug("boot server: " + getRemoteAddress().getAddress().getHostAddress() + " " + method + " "
                        + uri.getRawPath() + " " + status + " " + (System.nanoTime() - startedNanos) / 1_000_000 + " ms");
            }
            if (!keepAlive || conn.dead || responseBody.broken) return false;
            // Drain what the handler left of the body, a little at most, under the body deadline.
            try {
                long drained = 0;
                byte[] buf = new byte[8192];
                while (!bodyDone()) {
                    int n = body.read(buf, 0, buf.length);
                    if (n < 0) break;
                    drained += n;
                    if (drained > MAX_DRAIN) return false;
                }
            } catch (IOException e) {
                return false;
            }
            return true;
        }
    }

    /** The response body: fixed length, chunked, or until the connection closes (HTTP/1.0). */
    private static final class ResponseBody extends OutputStream {
        private final Exchange ex;
        long left = -1;
        boolean chunked;
        boolean untilClose;
        boolean broken;
        private boolean closed;

        ResponseBody(Exchange ex) {
            this.ex = ex;
        }

        void mode(long length, boolean chunked) {
            this.chunked = chunked;
            this.untilClose = length < 0 && !chunked;
            this.left = length < 0 ? -1 : length;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (closed) throw new IOException("response body closed");
            if (ex.status < 0) throw new IOException("response headers not sent yet");
            if (len == 0) return;
            OutputStream out = ex.conn.out;
            if (chunked) {
                out.write((Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(b, off, len);
                out.write(CRLF);
            } else if (untilClose) {
                out.write(b, off, len);
            } else {
                if (len > left) {
                    broken = true;
                    throw new IOException("too many bytes to write to stream");
                }
                out.write(b, off, len);
                left -= len;
            }
        }

        @Override
        public void flush() throws IOException {
            ex.conn.out.flush();
        }

        @Override
        public void close() throws IOException {
            if (closed) return;
            closed = true;
            if (ex.status < 0) return;
            OutputStream out = ex.conn.out;
            if (chunked) out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            if (untilClose) ex.conn.kill();
            if (!chunked && !untilClose && left > 0) {
                // The client was promised more: the connection cannot carry another response.
                broken = true;
                ex.conn.kill();
                throw new IOException("insufficient bytes written to stream");
            }
        }
    }

    private static final byte[] CRLF = {'\r', '\n'};

    private static boolean tokenChar(int c) {
        return c > 32 && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0;
    }

    static String reason(int status) {
        return switch (status) {
            case 100 -> "Continue";
            case 200 -> "OK";
            case 204 -> "No Content";
            case 206 -> "Partial Content";
            case 304 -> "Not Modified";
            case 400 -> "Bad Request";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 413 -> "Content Too Large";
            case 414 -> "URI Too Long";
            case 416 -> "Range Not Satisfiable";
            case 429 -> "Too Many Requests";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 503 -> "Service Unavailable";
            case 505 -> "HTTP Version Not Supported";
            default -> "Status";
        };
    }
}

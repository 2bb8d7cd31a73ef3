package dev.metal.state;

import dev.metal.model.BadInputException;
import java.io.IOException;
import java.lang.ref.Cleaner;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The team engine: the state in a PostgreSQL database that several operators and automation
 * hosts share. Claims lock rows (SELECT ... FOR UPDATE SKIP LOCKED), so that parallel
 * provisioners never take one host and never wait on unrelated work; a deadlock or
 * serialization conflict runs the change again. A provisioning request's lock is a session
 * advisory lock, which the server drops when its holder dies.
 *
 * <p>The location is {@code postgresql://[user@]host[:port]/database[?params]} (or a
 * {@code jdbc:postgresql:} URL). The password comes from, in order: the URL's
 * {@code password=env:VAR} or {@code password=file:PATH}, {@code $PGPASSWORD}, then the
 * password file ({@code $PGPASSFILE}, else {@code ~/.pgpass}). It is never printed. TLS is
 * verified ({@code sslmode=verify-full}) for every server but this machine, unless the URL
 * sets its own {@code sslmode}.
 */
final class PostgresStore extends SqlStore {
    private static final Cleaner CLEANER = Cleaner.create();
    /** An idle connection older than this is checked before use (the server may have restarted). */
    private static final long CHECK_AFTER_MS = 2_000;

    private final String jdbcUrl;
    private final Properties properties;
    private final String location;
    private final Pool pool;
    private final Cleaner.Cleanable cleanable;

    /** The idle connections, closed when the store is closed or forgotten. */
    private static final class Pool implements Runnable {
        record Idle(Connection c, long since) {}

        final Deque<Idle> idle = new ArrayDeque<>();

        @Override
        public synchronized void run() {
            for (Idle i : idle) {
                try {
                    i.c().close();
                } catch (SQLException ignored) {
                    // already gone
                }
            }
            idle.clear();
        }
    }

    PostgresStore(String url, String command, Clock clock, Map<String, String> env) {
        super(Dialect.POSTGRES, command, clock);
        Parsed p = parse(url, env);
        this.jdbcUrl = p.jdbcUrl();
        this.properties = p.properties();
        this.location = p.location();
        this.pool = new Pool();
        this.cleanable = CLEANER.register(this, pool);
    }

    static boolean handles(String location) {
        return location.startsWith("postgresql://") || location.startsWith("postgres://")
                || location.startsWith("jdbc:postgresql:");
    }

    record Parsed(String jdbcUrl, Properties properties, String location) {}

    /** The JDBC URL, the connection properties (password and TLS included), and the location to print. */
    static Parsed parse(String url, Map<String, String> env) {
        String rest = url.startsWith("jdbc:") ? url.substring("jdbc:".length()) : url;
        if (rest.startsWith("postgres://")) rest = "postgresql://" + rest.substring("postgres://".length());
        URI uri;
        try {
            uri = new URI(rest);
        } catch (URISyntaxException e) {
            throw new BadInputException("the state URL is not valid: " + masked(url));
        }
        if (uri.getHost() == null || uri.getRawPath() == null || uri.getRawPath().length() <= 1) {
            throw new BadInputException("the state URL " + masked(url)
                    + " needs a host and a database: postgresql://[user@]host[:port]/database");
        }
        String database = decode(uri.getRawPath().substring(1));
        int port = uri.getPort() > 0 ? uri.getPort() : 5432;
        Map<String, String> params = new LinkedHashMap<>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                if (pair.isEmpty()) continue;
                int eq = pair.indexOf('=');
                params.put(decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : decode(pair.substring(eq + 1)));
            }
        }
        String user = params.remove("user");
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String info = uri.getRawUserInfo();
            int colon = info.indexOf(':');
            user = decode(colon < 0 ? info : info.substring(0, colon));
            if (colon >= 0) password = decode(info.substring(colon + 1));
        }
        if (user == null) user = env.getOrDefault("PGUSER", System.getProperty("user.name"));
        String passwordRef = params.remove("password");
        if (passwordRef != null) {
            password = secret(passwordRef, env, masked(url));
        }
        if (password == null) password = env.get("PGPASSWORD");
        if (password == null) password = passFile(env, uri.getHost(), port, database, user);

        Properties props = new Properties();
        props.putAll(params);
        props.setProperty("user", user);
        if (password != null) props.setProperty("password", password);
        if (!props.containsKey("sslmode")) {
            props.setProperty("sslmode", isLocal(uri.getHost()) ? "disable" : "verify-full");
        }
        props.putIfAbsent("ApplicationName", "metal");
        props.putIfAbsent("connectTimeout", "10");
        props.putIfAbsent("reWriteBatchedInserts", "true");
        String host = uri.getHost();
        String jdbc = "jdbc:postgresql://" + host + ":" + port + "/" + uri.getRawPath().substring(1);
        String shown = "postgresql://" + user + "@" + host + ":" + port + "/" + database;
        return new Parsed(jdbc, props, shown);
    }

    private static boolean isLocal(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1");
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** The URL as it may be printed: without a password. */
    static String masked(String url) {
        return url.replaceAll("(://[^:/@]*):[^@/]*@", "$1:****@").replaceAll("(?i)(password=)[^&]*", "$1****");
    }

    /** password=env:VAR or password=file:PATH; a literal password does not belong in a URL that shows up in ps. */
    private static String secret(String reference, Map<String, String> env, String url) {
        if (reference.startsWith("env:")) {
            String value = env.get(reference.substring(4));
            if (value == null) {
                throw new BadInputException("the state URL " + url + " takes its password from the environment variable "
                        + reference.substring(4) + ", which is not set");
            }
            return value;
        }
        if (reference.startsWith("file:")) {
            Path path = Path.of(reference.substring(5));
            try {
                return Files.readString(path, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new BadInputException("cannot read the state's password file " + path + ": " + e.getMessage());
            }
        }
        throw new BadInputException("the state URL " + url + ": password= takes env:VAR or file:PATH");
    }

    /** The password of the first matching line of the password file (host:port:database:user:password, * for any). */
    static String passFile(Map<String, String> env, String host, int port, String database, String user) {
        String name = env.get("PGPASSFILE");
        Path file = name != null ? Path.of(name) : Path.of(System.getProperty("user.home"), ".pgpass");
        if (!Files.isReadable(file)) return null;
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) continue;
            List<String> fields = new java.util.ArrayList<>();
            StringBuilder field = new StringBuilder();
            for (int i = 0; i < line.length(); i++) {
                char ch = line.charAt(i);
                if (ch == '\\' && i + 1 < line.length()) {
                    field.append(line.charAt(++i));
                } else if (ch == ':' && fields.size() < 4) {
                    fields.add(field.toString());
                    field.setLength(0);
                } else {
                    field.append(ch);
                }
            }
            fields.add(field.toString());
            if (fields.size() != 5) continue;
            if (matches(fields.get(0), host) && matches(fields.get(1), Integer.toString(port))
                    && matches(fields.get(2), database) && matches(fields.get(3), user)) {
                return fields.get(4);
            }
        }
        return null;
    }

    private static boolean matches(String pattern, String value) {
        return pattern.equals("*") || pattern.equals(value);
    }

    @Override
    public String location() {
        return location;
    }

    @Override
    Connection connect(boolean write) throws SQLException {
        while (true) {
            Pool.Idle idle;
            synchronized (pool) {
                idle = pool.idle.pollFirst();
            }
            if (idle == null) break;
            if (System.currentTimeMillis() - idle.since() < CHECK_AFTER_MS || idle.c().isValid(2)) return idle.c();
            closeQuietly(idle.c());
        }
        return org.postgresql.Driver.class.cast(driver()).connect(jdbcUrl, properties);
    }

    private static java.sql.Driver driver() {
        return Holder.DRIVER;
    }

    private static final class Holder {
        static final java.sql.Driver DRIVER = new org.postgresql.Driver();
    }

    @Override
    void release(Connection c, boolean broken) {
        if (broken) {
            closeQuietly(c);
            return;
        }
        synchronized (pool) {
            if (pool.idle.size() < 4) {
                pool.idle.addFirst(new Pool.Idle(c, System.currentTimeMillis()));
                return;
            }
        }
        closeQuietly(c);
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // already gone
        }
    }

    @Override
    boolean retryable(SQLException e) {
        return "40001".equals(e.getSQLState()) || "40P01".equals(e.getSQLState());
    }

    @Override
    StateException failure(String doing, SQLException e) {
        if (connectionLost(e)) {
            return new StateException("cannot reach the PostgreSQL state " + location + ": " + e.getMessage()
                    + " (is the server running? a provision stopped by this resumes with --resume)", e);
        }
        if ("28P01".equals(e.getSQLState()) || "28000".equals(e.getSQLState())) {
            return new StateException("the PostgreSQL state " + location + " refused the login: " + e.getMessage()
                    + " (the password comes from the URL's password=env:VAR or file:PATH, $PGPASSWORD or the .pgpass file)", e);
        }
        return new StateException("cannot " + doing + " the PostgreSQL state " + location + ": " + e.getMessage(), e);
    }

    @Override
    void lockForMigration(Statement s) throws SQLException {
        s.execute("SELECT pg_advisory_xact_lock(" + lockKey("metal schema") + ")");
    }

    /** A 64-bit advisory lock key for a name. */
    static long lockKey(String name) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(("metal:" + name).getBytes(StandardCharsets.UTF_8));
            long k = 0;
            for (int i = 0; i < 8; i++) k = (k << 8) | (d[i] & 0xff);
            return k;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public RequestLock lockRequest(String requestId) {
        long key = lockKey("request " + requestId);
        Connection c;
        try {
            c = org.postgresql.Driver.class.cast(driver()).connect(jdbcUrl, properties);
        } catch (SQLException e) {
            throw failure("lock request " + requestId + " in", e);
        }
        try (PreparedStatement s = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            s.setLong(1, key);
            try (ResultSet r = s.executeQuery()) {
                if (r.next() && r.getBoolean(1)) {
                    return () -> closeQuietly(c); // the session's end drops the lock
                }
            }
            closeQuietly(c);
            return null;
        } catch (SQLException e) {
            closeQuietly(c);
            throw failure("lock request " + requestId + " in", e);
        }
    }

    @Override
    public void close() {
        cleanable.clean();
    }
}

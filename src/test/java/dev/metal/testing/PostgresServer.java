package dev.metal.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL server of a test class's own, from Debian's {@code postgresql}
 * package: initdb into a temporary folder, then pg_ctl on a free loopback port, with a
 * password (SCRAM) as a real installation has. As root, the server runs as the
 * unprivileged {@code postgres} user (PostgreSQL refuses to run as root). Each test takes
 * a fresh database of its own ({@link #newDatabase}).
 */
public final class PostgresServer implements AutoCloseable {
    public static final String USER = "metal";
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final Path bin;
    private final Path dir;
    private final Path data;
    private final Path passwordFile;
    private final int port;
    private final boolean root;

    private PostgresServer(Path bin, Path dir, int port, boolean root) {
        this.bin = bin;
        this.dir = dir;
        this.data = dir.resolve("data");
        this.passwordFile = dir.resolve("password");
        this.port = port;
        this.root = root;
    }

    public static PostgresServer start() throws Exception {
        Path initdb = Tools.require("initdb", "postgresql");
        Path bin = initdb.getParent();
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory("metal-pg-", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        PostgresServer server = new PostgresServer(bin, dir, freePort(), root);
        Files.writeString(server.passwordFile, "pg-" + Long.toHexString(System.nanoTime()) + "-secret\n");
        if (root) {
            Tools.require("runuser", "util-linux");
            UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
            Files.setOwner(dir, users.lookupPrincipalByName("postgres"));
            Files.setOwner(server.passwordFile, users.lookupPrincipalByName("postgres"));
        }
        server.run(List.of(initdb.toString(), "-D", server.data.toString(), "-U", USER,
                "--pwfile=" + server.passwordFile, "--auth=scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync"));
        server.startServer();
        // A test JVM that is stopped early still stops its server and removes its files.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception ignored) {
                // nothing more to do on the way out
            }
        }));
        return server;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Starts the server (again, after {@link #stop}). */
    public void startServer() throws Exception {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("log").toString(),
                "-w", "-t", "60", "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1"
                        + " -c fsync=off -c full_page_writes=off -c max_connections=300", "start"));
    }

    /** Stops the server at once, as a crash or an operator would. */
    public void stop() throws Exception {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop"));
    }

    public int port() {
        return port;
    }

    public String password() throws IOException {
        return Files.readString(passwordFile, StandardCharsets.UTF_8).strip();
    }

    public Path passwordFile() {
        return passwordFile;
    }

    /** A fresh, empty database; its URL, with the password taken from the password file. */
    public String newDatabase() throws SQLException, IOException {
        String name = "t" + DATABASES.incrementAndGet();
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return url(name);
    }

    public String url(String database) {
        return "postgresql://" + USER + "@127.0.0.1:" + port + "/" + database + "?password=file:" + passwordFile;
    }

    /** A plain JDBC connection, for tests that look under the interface. */
    public Connection connect(String database) throws SQLException, IOException {
        Properties p = new Properties();
        p.setProperty("user", USER);
        p.setProperty("password", password());
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, p);
    }

    private void run(List<String> command) throws Exception {
        List<String> cmd = new ArrayList<>();
        if (root) cmd.addAll(List.of(Tools.require("runuser", "util-linux").toString(), "-u", "postgres", "--"));
        cmd.addAll(command);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish:\n" + out);
        }
        if (p.exitValue() != 0) {
            String log = Files.exists(dir.resolve("log")) ? Files.readString(dir.resolve("log")) : "";
            throw new IllegalStateException(String.join(" ", command) + " failed (" + p.exitValue() + "):\n" + out + log);
        }
    }

    private boolean closed;

    @Override
    public synchronized void close() throws Exception {
        if (closed) return;
        closed = true;
        try {
            if (Files.exists(data.resolve("postmaster.pid"))) stop();
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
            }
        }
    }
}

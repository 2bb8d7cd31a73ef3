package dev.metal.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metal.model.HostState;
import dev.metal.testing.PostgresPerClass;
import dev.metal.testing.PostgresServer;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The store contract on a real PostgreSQL server of this class's own, and what only a server has: logins, restarts. */
class PostgresStoreTest extends StoreContractTest {
    @RegisterExtension
    static final PostgresPerClass pg = new PostgresPerClass();

    @Override
    String newLocation() throws Exception {
        return pg.server().newDatabase();
    }

    @Override
    void sql(String location, String statement) throws Exception {
        String db = database(location);
        try (Connection c = pg.server().connect(db); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    static String database(String url) {
        String base = url.substring(0, url.indexOf('?'));
        return base.substring(base.lastIndexOf('/') + 1);
    }

    @Test
    void theLocationNeverShowsThePasswordAndABadOneIsAClearError() throws Exception {
        String url = pg.server().newDatabase();
        String db = database(url);
        String password = pg.server().password();
        String literal = "postgresql://" + PostgresServer.USER + ":" + password + "@127.0.0.1:" + pg.server().port() + "/" + db;
        try (Store s = open(literal)) {
            s.update(tx -> {
                tx.put(host("n1", "r1", HostState.IMPORTED), "imported");
                return null;
            });
            assertFalse(s.location().contains(password), s.location());
            assertEquals(1, s.hosts(HostQuery.all()).size());
        }
        assertFalse(Stores.printable(literal).contains(password));
        String wrong = "postgresql://" + PostgresServer.USER + ":not-it@127.0.0.1:" + pg.server().port() + "/" + db;
        try (Store s = open(wrong)) {
            StateException e = assertThrows(StateException.class, () -> s.host("n1"));
            assertTrue(e.getMessage().contains("refused the login"), e.getMessage());
            assertFalse(e.getMessage().contains("not-it"), e.getMessage());
        }
        // The password file (.pgpass format) is found through PGPASSFILE.
        java.nio.file.Path pgpass = java.nio.file.Files.createTempFile("pgpass", "");
        try {
            java.nio.file.Files.writeString(pgpass, "# comment\nother:1:*:*:x\n127.0.0.1:" + pg.server().port() + ":*:"
                    + PostgresServer.USER + ":" + password + "\n");
            String bare = "postgresql://" + PostgresServer.USER + "@127.0.0.1:" + pg.server().port() + "/" + db;
            try (Store s = Stores.open(bare, "test", java.time.Clock.systemUTC(), Map.of("PGPASSFILE", pgpass.toString()),
                    System.err)) {
                assertEquals(1, s.hosts(HostQuery.all()).size());
            }
        } finally {
            java.nio.file.Files.deleteIfExists(pgpass);
        }
    }

    @Test
    void aStoppedServerIsAClearErrorAndTheStoreRecoversWhenItIsBack() throws Exception {
        String url = pg.server().newDatabase();
        try (Store s = open(url)) {
            s.update(tx -> {
                tx.put(host("n1", "r1", HostState.IMPORTED), "imported");
                return null;
            });
            pg.server().stop();
            try {
                StateException e = assertThrows(StateException.class, () -> s.host("n1"));
                assertTrue(e.getMessage().contains("cannot reach the PostgreSQL state")
                        && e.getMessage().contains("127.0.0.1:" + pg.server().port()), e.getMessage());
                assertFalse(e.getMessage().contains(pg.server().password()));
            } finally {
                pg.server().startServer();
            }
            assertEquals("n1", s.host("n1").hostname(), "a new connection once the server is back");
        }
    }

    @Test
    void urlsParseWithTlsVerifiedForOtherMachines() {
        PostgresStore.Parsed p = PostgresStore.parse("postgresql://ops@db.example.net/metal?password=env:PW",
                Map.of("PW", "s3cret"));
        assertEquals("jdbc:postgresql://db.example.net:5432/metal", p.jdbcUrl());
        assertEquals("verify-full", p.properties().getProperty("sslmode"));
        assertEquals("s3cret", p.properties().getProperty("password"));
        assertEquals("postgresql://ops@db.example.net:5432/metal", p.location());
        PostgresStore.Parsed opt = PostgresStore.parse("jdbc:postgresql://db:6543/m?user=ops&sslmode=require", Map.of("PGPASSWORD", "x"));
        assertEquals("require", opt.properties().getProperty("sslmode"));
        assertEquals("x", opt.properties().getProperty("password"));
        assertEquals("ops", opt.properties().getProperty("user"));
        assertTrue(Stores.printable("postgresql://u:hunter2@h/d").contains("****"));
        assertFalse(Stores.printable("postgresql://u:hunter2@h/d").contains("hunter2"));
        assertThrows(dev.metal.model.BadInputException.class, () -> PostgresStore.parse("postgresql://h", Map.of()));
    }
}

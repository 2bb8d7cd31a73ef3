package dev.metal.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metal.model.BadInputException;
import dev.metal.model.HostState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on SQLite, and what only a local file has: its mode, its folder, a file that is not a state. */
class SqliteStoreTest extends StoreContractTest {
    @TempDir
    Path dir;
    private int n;

    @Override
    String newLocation() {
        return dir.resolve("state" + ++n + ".json").toString();
    }

    @Override
    void sql(String location, String statement) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + location); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    @Test
    void theFileAndItsCompanionsAreOwnerOnlyAndReadsCreateNothing() throws Exception {
        Path state = dir.resolve("state.json");
        try (Store s = open(state.toString())) {
            s.hosts(HostQuery.all());
            assertTrue(!Files.exists(state), "a read creates no state");
            s.update(tx -> {
                tx.put(host("n1", "r1", HostState.IMPORTED), "imported");
                return null;
            });
            Store.RequestLock lock = s.lockRequest("req");
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), f.toString());
                }
            }
            lock.close();
        }
    }

    @Test
    void aMissingFolderIsBadInputNamingIt() {
        Path state = dir.resolve("no/such/state.json");
        try (Store s = open(state.toString())) {
            BadInputException e = org.junit.jupiter.api.Assertions.assertThrows(BadInputException.class, () -> s.update(tx -> {
                tx.journal(null, "x", Map.of());
                return null;
            }));
            assertTrue(e.getMessage().contains(dir.resolve("no/such").toString()), e.getMessage());
        }
    }

    @Test
    void aFileThatIsNoStateIsNamed() throws Exception {
        for (String content : new String[] {"null", "garbage\n", "[1, 2]"}) {
            Path state = dir.resolve("bad.json");
            Files.writeString(state, content);
            StateException e = org.junit.jupiter.api.Assertions.assertThrows(StateException.class, () -> open(state.toString()));
            assertTrue(e.getMessage().contains(state.toString()) && e.getMessage().contains("not a metal state"), e.getMessage());
        }
        Path torn = dir.resolve("torn.json");
        Files.writeString(torn, "{\"schemaVersion\": 1, \"hosts\": {");
        StateException e = org.junit.jupiter.api.Assertions.assertThrows(StateException.class, () -> open(torn.toString()));
        assertTrue(e.getMessage().contains(torn.toString()), e.getMessage());
        Path corrupt = dir.resolve("corrupt.db");
        byte[] bytes = new byte[8192];
        System.arraycopy("SQLite format 3\0".getBytes(), 0, bytes, 0, 16);
        Files.write(corrupt, bytes);
        try (Store s = open(corrupt.toString())) {
            StateException c = org.junit.jupiter.api.Assertions.assertThrows(StateException.class, () -> s.hosts(HostQuery.all()));
            assertTrue(c.getMessage().contains(corrupt.toString()), c.getMessage());
        }
    }
}

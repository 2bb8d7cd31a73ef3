package dev.metal.state;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.Arrays;
import java.util.Map;

/**
 * Opens the state where the command line says it is: a {@code postgresql://} URL is a
 * PostgreSQL database, anything else a local SQLite file. A JSON state file of an earlier
 * metal is moved to SQLite on first use, once, keeping the JSON beside it as a backup.
 */
public final class Stores {
    private Stores() {}

    private static final byte[] SQLITE_MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

    /**
     * @param location the state file, or a PostgreSQL URL
     * @param command  what the journal records as the cause of changes (no secrets)
     */
    public static Store open(String location, String command, Clock clock) {
        return open(location, command, clock, System.getenv(), System.err);
    }

    /** @param notices where the one-time message about moving a JSON state goes */
    public static Store open(String location, String command, Clock clock, Map<String, String> env, PrintStream notices) {
        if (PostgresStore.handles(location)) return new PostgresStore(location, command, clock, env);
        Path file = Path.of(location).toAbsolutePath().normalize();
        switch (kind(file)) {
            case JSON -> migrateJson(file, command, clock, notices);
            case OTHER -> throw new StateException("state file " + file + " is not a metal state: neither a SQLite"
                    + " database nor a JSON state (restore it from a backup with 'metal state import', or move it away)");
            default -> { }
        }
        return new SqliteStore(file, command, clock);
    }

    /** Whether the location names a PostgreSQL database rather than a file. */
    public static boolean isDatabaseUrl(String location) {
        return PostgresStore.handles(location);
    }

    /** A location safe to print: a URL's password masked. */
    public static String printable(String location) {
        return PostgresStore.handles(location) ? PostgresStore.masked(location) : location;
    }

    enum Kind { MISSING, SQLITE, JSON, OTHER }

    static Kind kind(Path file) {
        byte[] head = new byte[64];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (NoSuchFileException e) {
            return Kind.MISSING;
        } catch (IOException e) {
            throw new StateException("cannot read state file " + file + ": " + e.getMessage(), e);
        }
        if (n == 0) return Kind.SQLITE; // an empty file is an empty database
        if (n >= SQLITE_MAGIC.length && Arrays.equals(Arrays.copyOf(head, SQLITE_MAGIC.length), SQLITE_MAGIC)) {
            return Kind.SQLITE;
        }
        for (int i = 0; i < n; i++) {
            if (Character.isWhitespace(head[i])) continue;
            return head[i] == '{' ? Kind.JSON : Kind.OTHER;
        }
        return Kind.OTHER;
    }

    static Path backupOf(Path file) {
        return file.resolveSibling(file.getFileName() + ".json-backup");
    }

    /**
     * Moves a JSON state (and its journal) into a SQLite database at the same path. The
     * database is built beside it and renamed over it only when complete, so a crash leaves
     * either the JSON state (and the move happens again) or the whole database. The JSON
     * file and its journal are kept as FILE.json-backup and FILE.journal.json-backup.
     */
    static void migrateJson(Path file, String command, Clock clock, PrintStream notices) {
        Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
        Path journal = file.resolveSibling(file.getFileName() + ".journal");
        Path building = file.resolveSibling(file.getFileName() + ".sqlite-building");
        Path backup = backupOf(file);
        Path journalBackup = journal.resolveSibling(journal.getFileName() + ".json-backup");
        try {
            Files.createFile(lockFile, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        } catch (java.nio.file.FileAlreadyExistsException exists) {
            // the JSON engine's lock, as an earlier metal left it
        } catch (IOException e) {
            throw new StateException("cannot lock state file " + file + ": " + e.getMessage(), e);
        }
        try (FileChannel lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = lockChannel.lock()) {
            if (kind(file) != Kind.JSON) return; // another process moved it while this one waited
            SqlStore.Dump dump = new JsonFileStore(file, command, clock).dump();
            for (String suffix : new String[] {"", "-wal", "-shm", "-journal"}) {
                Files.deleteIfExists(building.resolveSibling(building.getFileName() + suffix));
            }
            SqliteStore target = new SqliteStore(building, command, clock);
            target.importDump(dump, file.toString());
            // Fold the WAL into the file, so that the rename moves everything.
            try (Connection c = target.connect(true); Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=DELETE");
            }
            Files.deleteIfExists(backup);
            Files.copy(file, backup, StandardCopyOption.COPY_ATTRIBUTES);
            if (Files.exists(journal)) {
                Files.deleteIfExists(journalBackup);
                Files.copy(journal, journalBackup, StandardCopyOption.COPY_ATTRIBUTES);
            }
            syncDirectory(file.getParent());
            Files.move(building, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory(file.getParent());
            Files.deleteIfExists(journal);
            Files.deleteIfExists(lockFile);
            notices.println("metal: moved the state " + file + " from JSON to SQLite (" + dump.hosts().size()
                    + " hosts, " + dump.journal().size() + " journal entries); the JSON state is kept as " + backup
                    + (Files.exists(journalBackup) ? " and its journal as " + journalBackup : ""));
            notices.flush();
        } catch (IOException | SQLException e) {
            throw new StateException("cannot move state file " + file + " to SQLite: " + e.getMessage(), e);
        }
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // not every file system syncs folders; the rename is atomic all the same
        }
    }
}

package dev.metal.state;

import dev.metal.model.BadInputException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The default engine: one local SQLite file, mode 0600, in WAL mode so that readers never
 * wait for a writer. A change is one BEGIN IMMEDIATE transaction: writers take turns on the
 * file (waiting up to {@link #BUSY_TIMEOUT_MS}), and a claim can never see a host that
 * another process is claiming. Each read and change opens its own connection, so a Store
 * nobody closes holds nothing.
 */
final class SqliteStore extends SqlStore {
    static final int BUSY_TIMEOUT_MS = 120_000;

    static {
        SqliteLibrary.useCache();
    }

    private final Path file;
    private final SQLiteDataSource source;

    SqliteStore(Path file, String command, Clock clock) {
        super(Dialect.SQLITE, command, clock);
        this.file = file.toAbsolutePath().normalize();
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(BUSY_TIMEOUT_MS);
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        this.source = new SQLiteDataSource(config);
        this.source.setUrl("jdbc:sqlite:" + this.file);
    }

    Path file() {
        return file;
    }

    @Override
    public String location() {
        return file.toString();
    }

    @Override
    boolean exists() {
        return Files.exists(file);
    }

    @Override
    Connection connect(boolean write) throws SQLException {
        if (!Files.exists(file)) {
            if (!write) return null;
            create();
        }
        return source.getConnection();
    }

    /** An empty file with mode 0600 (SQLite gives its WAL and shared-memory files the same mode). */
    private void create() {
        Path dir = file.getParent();
        if (!Files.isDirectory(dir)) {
            throw new BadInputException("the folder of the state file " + file + " does not exist: " + dir
                    + " (create it, or give another --state)");
        }
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException raced) {
            // another process made it first
        } catch (NoSuchFileException e) {
            throw new BadInputException("the folder of the state file " + file + " does not exist: " + dir);
        } catch (IOException e) {
            throw new StateException("cannot create state file " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    void release(Connection c, boolean broken) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // nothing is left to close
        }
    }

    @Override
    StateException failure(String doing, SQLException e) {
        if (e instanceof SQLiteException s) {
            SQLiteErrorCode code = s.getResultCode();
            if (code == SQLiteErrorCode.SQLITE_NOTADB || code == SQLiteErrorCode.SQLITE_CORRUPT) {
                return new StateException("state file " + file + " is not a metal state (not a valid SQLite database)", e);
            }
            if (code == SQLiteErrorCode.SQLITE_BUSY || code == SQLiteErrorCode.SQLITE_BUSY_SNAPSHOT) {
                return new StateException("state file " + file + " stayed locked by another metal for "
                        + BUSY_TIMEOUT_MS / 1000 + " s; try again", e);
            }
            if (code == SQLiteErrorCode.SQLITE_READONLY || code == SQLiteErrorCode.SQLITE_CANTOPEN
                    || code == SQLiteErrorCode.SQLITE_PERM) {
                return new StateException("cannot " + doing + " state file " + file + ": " + s.getMessage(), e);
            }
        }
        return new StateException("cannot " + doing + " state file " + file + ": " + e.getMessage(), e);
    }

    @Override
    public RequestLock lockRequest(String requestId) {
        return FileRequestLock.tryAcquire(file, requestId);
    }

    @Override
    public void close() {
        // each call opened and closed its own connection
    }
}

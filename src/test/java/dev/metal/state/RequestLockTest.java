package dev.metal.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A provision's lock file is owner-only like every file beside the state, and goes with its lock. */
class RequestLockTest {
    @TempDir
    Path dir;

    @Test
    void theLockFileIsOwnerOnly() {
        Path state = dir.resolve("state.json");
        Path file = FileRequestLock.fileFor(state, "req-1");
        try (FileRequestLock lock = FileRequestLock.tryAcquire(state, "req-1")) {
            assertTrue(lock != null);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        assertFalse(Files.exists(file));
    }
}

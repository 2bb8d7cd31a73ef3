package dev.metal.state;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The JSON engine's provisioning request lock: a file lock on a file beside the state file,
 * held by the process that runs the request for as long as it runs. The operating system
 * drops it when that process dies, which is how {@code --resume} tells an interrupted
 * request from one still running in another process.
 */
final class FileRequestLock implements Store.RequestLock {
    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private FileRequestLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    static Path fileFor(Path stateFile, String requestId) {
        return stateFile.resolveSibling(stateFile.getFileName() + ".provision-" + requestId + ".lock");
    }

    /** The lock of {@code requestId}, or null when a live process holds it. */
    static FileRequestLock tryAcquire(Path stateFile, String requestId) {
        Path file = fileFor(stateFile, requestId);
        FileChannel channel = null;
        try {
            // Owner-only like every file beside the state, from the first byte.
            channel = FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                return null;
            }
            return new FileRequestLock(file, channel, lock);
        } catch (OverlappingFileLockException heldHere) {
            closeQuietly(channel);
            return null; // this process runs it
        } catch (IOException e) {
            closeQuietly(channel);
            throw new StateException("cannot lock " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            // Delete while still holding it, so nobody can lock a file that is about to go.
            Files.deleteIfExists(file);
            lock.release();
        } catch (IOException ignored) {
            // the lock goes with the channel anyway
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel c) {
        try {
            if (c != null) c.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}

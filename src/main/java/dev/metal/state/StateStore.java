package dev.metal.state;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.metal.model.Host;
import dev.metal.model.Secret;
import dev.metal.util.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The state file and its journal. Every change is: lock, read, change, write a temp file,
 * fsync, rename, append to the journal. The lock is an exclusive lock on a file beside the
 * state, so that concurrent metal processes take turns; a crash at any moment leaves
 * either the old or the new file, never a torn one.
 */
final class StateStore {
    private static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(
            PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    /** File locks are per process; threads of one process take turns on this first. */
    private static final ConcurrentHashMap<Path, ReentrantLock> THREAD_LOCKS = new ConcurrentHashMap<>();

    private final Path file;
    private final Path lockFile;
    private final Path journalFile;
    private final String command;
    private final Clock clock;

    /** @param command what to record in the journal as the cause of changes (no secrets) */
    StateStore(Path file, String command) {
        this(file, command, Clock.systemUTC());
    }

    StateStore(Path file, String command, Clock clock) {
        this.file = file.toAbsolutePath().normalize();
        this.lockFile = sibling(this.file, ".lock");
        this.journalFile = sibling(this.file, ".journal");
        this.command = command;
        this.clock = clock;
    }

    private static Path sibling(Path file, String suffix) {
        return file.resolveSibling(file.getFileName() + suffix);
    }

    Path file() {
        return file;
    }

    Path journalFile() {
        return journalFile;
    }

    /** Reads the current state without locking: the file is only ever replaced whole. */
    State load() {
        try {
            byte[] bytes = Files.readAllBytes(file);
            return parse(bytes);
        } catch (NoSuchFileException e) {
            return State.empty();
        } catch (AccessDeniedException e) {
            throw new StateException("cannot read state file " + file + ": permission denied");
        } catch (IOException e) {
            throw new StateException("cannot read state file " + file + ": " + e.getMessage(), e);
        }
    }

    private State parse(byte[] bytes) {
        try {
            State state = mapper().readValue(bytes, State.class);
            if (state == null) {
                throw new StateException("state file " + file + " is not valid: it holds null, not a metal state");
            }
            for (Map.Entry<String, Host> h : state.hosts().entrySet()) {
                if (h.getValue() == null) {
                    throw new StateException("state file " + file + " is not valid: host " + h.getKey() + " is null");
                }
            }
            if (state.schemaVersion() > State.SCHEMA_VERSION) {
                throw new StateException("state file " + file + " has schema version " + state.schemaVersion()
                        + ", newer than this metal understands (" + State.SCHEMA_VERSION + ")");
            }
            return state;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new StateException("state file " + file + " is not valid: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new StateException("cannot read state file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Runs {@code change} under the exclusive lock on the freshest state and writes the
     * result if anything changed. If {@code change} throws, nothing is written.
     */
    <T> T update(Store.Change<T> change) {
        ReentrantLock threadLock = THREAD_LOCKS.computeIfAbsent(file, f -> new ReentrantLock());
        threadLock.lock();
        try {
            Files.createDirectories(file.getParent());
            try (FileChannel lockChannel = openOwnerOnly(lockFile,
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = lockChannel.lock()) {
                JsonTransaction tx = new JsonTransaction(load(), command, clock.instant());
                T result = change.apply(tx);
                if (tx.changed()) {
                    write(tx.snapshot());
                }
                appendJournal(tx.journalEntries());
                return result;
            }
        } catch (IOException e) {
            throw new StateException("cannot write state file " + file + ": " + e.getMessage(), e);
        } finally {
            threadLock.unlock();
        }
    }

    private void write(State state) throws IOException {
        byte[] bytes = mapper().writeValueAsBytes(state);
        Path temp = Files.createTempFile(file.getParent(), file.getFileName() + ".", ".tmp",
                PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) channel.write(buffer);
                channel.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        syncDirectory();
    }

    /** Makes the rename itself durable. */
    private void syncDirectory() {
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException ignored) {
            // Not every file system lets a directory be opened for sync; the rename is still atomic.
        }
    }

    private void appendJournal(List<JournalEntry> entries) throws IOException {
        if (entries.isEmpty()) return;
        StringBuilder lines = new StringBuilder();
        for (JournalEntry entry : entries) {
            lines.append(MapperHolder.LINE_WRITER.writeValueAsString(entry)).append('\n');
        }
        try (FileChannel channel = openOwnerOnly(journalFile,
                StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ByteBuffer buffer = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8));
            while (buffer.hasRemaining()) channel.write(buffer);
            channel.force(true);
        }
    }

    /** The journal, oldest first; a torn last line (crash while appending) is skipped. */
    List<JournalEntry> journal() {
        List<JournalEntry> entries = new ArrayList<>();
        if (!Files.exists(journalFile)) return entries;
        ObjectMapper m = mapper();
        try (BufferedReader reader = Files.newBufferedReader(journalFile, StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank()) continue;
                try {
                    entries.add(m.readValue(line, JournalEntry.class));
                } catch (IOException torn) {
                    // A crash can leave a partial last line; everything before it is intact.
                }
            }
        } catch (IOException e) {
            throw new StateException("cannot read journal " + journalFile + ": " + e.getMessage(), e);
        }
        return entries;
    }

    private static FileChannel openOwnerOnly(Path path, StandardOpenOption... options) throws IOException {
        try {
            Files.createFile(path, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (FileAlreadyExistsException exists) {
            // fine: it keeps the mode it was created with
        }
        return FileChannel.open(path, options);
    }

    /** Secrets are written as their reference here, and only here. */
    private abstract static class SecretAsReference {
        @JsonValue(false)
        abstract String masked();

        @JsonValue
        abstract String reference();
    }

    private static final class MapperHolder {
        static final ObjectMapper MAPPER = Json.configure(JsonMapper.builder())
                .addMixIn(Secret.class, SecretAsReference.class)
                .build();
        /** One journal entry per line. */
        static final ObjectWriter LINE_WRITER = MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT);
    }

    static ObjectMapper mapper() {
        return MapperHolder.MAPPER;
    }
}

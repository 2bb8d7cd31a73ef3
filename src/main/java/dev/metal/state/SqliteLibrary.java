package dev.metal.state;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * sqlite-jdbc copies its native library out of its jar into a temporary file on every start
 * and compares the two (about 0.1 s of each command). When the launcher names metal's cache
 * folder ({@code -Dmetal.cache}), the library is copied there once per driver version and the
 * driver is pointed at that copy ({@code org.sqlite.lib.path}). Anything unexpected leaves the
 * driver's own way in place.
 */
final class SqliteLibrary {
    private SqliteLibrary() {}

    static void useCache() {
        String cache = System.getProperty("metal.cache");
        if (cache == null || cache.isEmpty() || System.getProperty("org.sqlite.lib.path") != null) return;
        try {
            String folder = org.sqlite.util.OSInfo.getNativeLibFolderPathForCurrentOS();
            String name = System.mapLibraryName("sqlitejdbc");
            String resource = "/org/sqlite/native/" + folder + "/" + name;
            if (SqliteLibrary.class.getResource(resource) == null) return;
            Path dir = Path.of(cache, "sqlite-" + org.sqlite.SQLiteJDBCLoader.getVersion(), folder);
            Path lib = dir.resolve(name);
            if (!Files.isRegularFile(lib)) copy(resource, dir, lib);
            if (!onlyOursCanWrite(dir)) return;
            System.setProperty("org.sqlite.lib.path", dir.toString());
            System.setProperty("org.sqlite.lib.name", name);
        } catch (IOException | RuntimeException e) {
            // the driver extracts its library itself, as it always does
        }
    }

    /** Writes the library under a temporary name and renames it, so no process loads half a file. */
    private static void copy(String resource, Path dir, Path lib) throws IOException {
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path part = Files.createTempFile(dir, "lib", ".part");
        try (InputStream in = SqliteLibrary.class.getResourceAsStream(resource)) {
            Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
            try {
                Files.move(part, lib, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(part, lib, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(part);
        }
    }

    /** Code is loaded from here: only a folder nobody else can write to is used. */
    private static boolean onlyOursCanWrite(Path dir) throws IOException {
        Set<PosixFilePermission> p = Files.getPosixFilePermissions(dir);
        return !p.contains(PosixFilePermission.GROUP_WRITE) && !p.contains(PosixFilePermission.OTHERS_WRITE)
                && Files.getOwner(dir).getName().equals(System.getProperty("user.name"));
    }
}

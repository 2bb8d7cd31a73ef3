package dev.metal.agent;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * Writes a cpio archive in the "newc" format the kernel unpacks as an initramfs. Every entry
 * is owned by root, whoever writes the archive, so device nodes need no privileges either.
 */
final class Cpio implements AutoCloseable {
    private final OutputStream out;
    private final Set<String> names = new HashSet<>();
    private long written;
    private int inode = 1;

    Cpio(Path file) throws IOException {
        this.out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
    }

    /** A directory, and its parents when they are not in the archive yet. */
    void dir(String name) throws IOException {
        String n = strip(name);
        if (n.isEmpty() || names.contains(n)) return;
        int slash = n.lastIndexOf('/');
        if (slash > 0) dir(n.substring(0, slash));
        entry(n, 0040755, 0, 0, new byte[0]);
    }

    void file(String name, int permissions, byte[] data) throws IOException {
        String n = strip(name);
        parentOf(n);
        entry(n, 0100000 | permissions, 0, 0, data);
    }

    void symlink(String name, String target) throws IOException {
        String n = strip(name);
        parentOf(n);
        entry(n, 0120777, 0, 0, target.getBytes(StandardCharsets.UTF_8));
    }

    /** A character device node, such as /dev/console (5, 1). */
    void charDevice(String name, int permissions, int major, int minor) throws IOException {
        String n = strip(name);
        parentOf(n);
        entry(n, 0020000 | permissions, major, minor, new byte[0]);
    }

    private void parentOf(String n) throws IOException {
        int slash = n.lastIndexOf('/');
        if (slash > 0) dir(n.substring(0, slash));
    }

    private static String strip(String name) {
        String n = name;
        while (n.startsWith("/")) n = n.substring(1);
        while (n.endsWith("/")) n = n.substring(0, n.length() - 1);
        return n;
    }

    private void entry(String name, int mode, int rdevMajor, int rdevMinor, byte[] data) throws IOException {
        if (!names.add(name)) throw new IOException("cpio: " + name + " is in the archive twice");
        header(name, mode, (mode & 0170000) == 0040000 ? 2 : 1, data.length, rdevMajor, rdevMinor);
        write(data);
        pad();
    }

    private void header(String name, int mode, int links, long size, int rdevMajor, int rdevMinor) throws IOException {
        byte[] nameBytes = (name + "\0").getBytes(StandardCharsets.UTF_8);
        StringBuilder h = new StringBuilder("070701");
        long[] fields = {inode++, mode, 0, 0, links, 0, size, 0, 0, rdevMajor, rdevMinor, nameBytes.length, 0};
        for (long f : fields) h.append(String.format("%08x", f));
        write(h.toString().getBytes(StandardCharsets.US_ASCII));
        write(nameBytes);
        pad();
    }

    private void write(byte[] b) throws IOException {
        out.write(b);
        written += b.length;
    }

    private void pad() throws IOException {
        while (written % 4 != 0) {
            out.write(0);
            written++;
        }
    }

    /** Writes the trailer and closes the file. */
    @Override
    public void close() throws IOException {
        try (out) {
            header("TRAILER!!!", 0, 1, 0, 0, 0);
        }
    }
}

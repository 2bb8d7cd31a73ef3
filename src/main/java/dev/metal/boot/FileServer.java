package dev.metal.boot;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Streams files from one folder, with single byte ranges. A path that would leave the
 * folder, by dot segments (plain or percent-encoded) or by a symlink, is refused.
 */
final class FileServer {
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");

    private FileServer() {}

    /** Answers the request; returns the status sent. */
    static int serve(HttpExchange ex, Path root, String rawRelative, BootServer.Refusal refusal) throws IOException {
        Path file = resolve(root, rawRelative);
        if (file == null) {
            refusal.refuse(ex, null, "path escapes the served folder", Map.of());
            BootServer.sendText(ex, 403, "forbidden");
            return 403;
        }
        if (!Files.isRegularFile(file)) {
            BootServer.sendText(ex, 404, "not found");
            return 404;
        }
        long size = Files.size(file);
        long start = 0;
        long end = size - 1;
        int status = 200;
        String range = ex.getRequestHeaders().getFirst("Range");
        if (range != null) {
            Matcher m = RANGE.matcher(range.trim());
            // Several ranges are allowed to get the whole file instead (RFC 9110); so is anything we do not parse.
            if (m.matches() && !(m.group(1).isEmpty() && m.group(2).isEmpty())) {
                if (m.group(1).isEmpty()) {
                    long suffix = number(m.group(2));
                    start = Math.max(0, size - suffix);
                } else {
                    start = number(m.group(1));
                    if (!m.group(2).isEmpty()) end = Math.min(end, number(m.group(2)));
                }
                if (start >= size || start > end) {
                    ex.getResponseHeaders().set("Content-Range", "bytes */" + size);
                    BootServer.sendText(ex, 416, "range not satisfiable");
                    return 416;
                }
                status = 206;
                ex.getResponseHeaders().set("Content-Range", "bytes " + start + "-" + end + "/" + size);
            }
        }
        long length = end - start + 1;
        ex.getResponseHeaders().set("Accept-Ranges", "bytes");
        ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().set("Content-Length", Long.toString(size == 0 ? 0 : length));
            ex.sendResponseHeaders(status, -1);
            return status;
        }
        ex.sendResponseHeaders(status, size == 0 ? -1 : length);
        if (size == 0) return status;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
             InputStream in = Channels.newInputStream(ch.position(start));
             OutputStream out = ex.getResponseBody()) {
            byte[] buffer = new byte[64 * 1024];
            long left = length;
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) break;
                out.write(buffer, 0, n);
                left -= n;
            }
        }
        return status;
    }

    /** A byte position; one past any file's size when it is too large for a long. */
    private static long number(String digits) {
        String d = digits.replaceFirst("^0+(?=.)", "");
        return d.length() > 18 ? Long.MAX_VALUE : Long.parseLong(d);
    }

    /** The file under root the raw (still percent-encoded) path names, or null when it would leave root. */
    static Path resolve(Path root, String rawRelative) {
        String relative = BootServer.decode(rawRelative);
        if (relative.isEmpty() || relative.startsWith("/") || relative.indexOf('\0') >= 0 || relative.contains("\\")) {
            return null;
        }
        for (String segment : relative.split("/")) {
            if (segment.equals("..") || segment.equals(".")) return null;
        }
        Path file = root.resolve(relative).normalize();
        if (!file.startsWith(root)) return null;
        if (!Files.exists(file)) return file; // a 404, not an escape
        try {
            // Symlinks are followed only when they stay inside the folder.
            Path realRoot = root.toRealPath();
            return file.toRealPath().startsWith(realRoot) ? file : null;
        } catch (IOException e) {
            return null;
        }
    }
}

package dev.metal.util;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.regex.Pattern;

/**
 * Error text for people: what went wrong in words, never the JDK's or a library's own
 * phrasing ("Failed to connect to /10.0.0.5:443", a bare file name as the message of a
 * NoSuchFileException), and the host named once.
 */
public final class Messages {
    private Messages() {}

    private static final Pattern FAILED_TO_CONNECT = Pattern.compile("Failed to connect to (?:[^/\\s]*)/([^\\s]+)");
    private static final Pattern SLASHED_ADDRESS = Pattern.compile("(?<=[\\s(])/(\\d{1,3}(?:\\.\\d{1,3}){3}(?::\\d+)?)");

    /** What an I/O failure means, without the exception's own text when that is only a name. */
    public static String of(IOException e) {
        String m = e.getMessage();
        if (e instanceof NoSuchFileException) return "no such file";
        if (e instanceof AccessDeniedException) return "permission denied";
        if (e instanceof NotDirectoryException) return "not a folder";
        if (e instanceof FileSystemException f && f.getReason() != null) return f.getReason().toLowerCase(java.util.Locale.ROOT);
        if (e instanceof UnknownHostException) return "unknown host name " + (m == null ? "" : m.replaceAll(":.*", ""));
        if (e instanceof NoRouteToHostException) return "no route to the host";
        if (e instanceof SocketTimeoutException) return "timed out";
        if (e instanceof ConnectException && (m == null || m.startsWith("Connection refused"))) return "connection refused";
        return m == null ? e.getClass().getSimpleName() : plain(m);
    }

    /** The same text with the JDK's phrasings that leak through libraries put into words. */
    public static String plain(String message) {
        if (message == null) return null;
        String m = FAILED_TO_CONNECT.matcher(message).replaceAll("cannot connect to $1");
        return SLASHED_ADDRESS.matcher(m).replaceAll("$1");
    }

    /** A host's error, shown next to its name: without a leading "HOST: " that would say it again. */
    public static String forHost(String hostname, String message) {
        if (message == null) return null;
        String m = plain(message);
        String prefix = hostname + ": ";
        while (m.startsWith(prefix)) m = m.substring(prefix.length());
        return m;
    }
}

package dev.metal.redfish;

import java.util.Locale;

/** Redfish URIs compared the way BMCs serve them: case-insensitive, trailing slash or not. */
final class Uris {
    private Uris() {}

    /** The key a resource is filed under: path only, lower case, no trailing slash. */
    static String key(String uri) {
        String p = path(uri).toLowerCase(Locale.ROOT);
        while (p.length() > 1 && p.endsWith("/")) p = p.substring(0, p.length() - 1);
        return p;
    }

    /** The path part of a link, without scheme, host or query (the fragment is kept: it names a part). */
    static String path(String uri) {
        String p = uri.trim();
        int scheme = p.indexOf("://");
        if (scheme >= 0) {
            int slash = p.indexOf('/', scheme + 3);
            p = slash < 0 ? "/" : p.substring(slash);
        }
        int q = p.indexOf('?');
        if (q >= 0) p = p.substring(0, q);
        return p;
    }

    static String lastSegment(String uri) {
        String k = path(uri);
        while (k.length() > 1 && k.endsWith("/")) k = k.substring(0, k.length() - 1);
        return k.substring(k.lastIndexOf('/') + 1);
    }
}

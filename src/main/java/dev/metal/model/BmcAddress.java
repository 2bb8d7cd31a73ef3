package dev.metal.model;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A BMC address as written in a rack CSV: an IPv4 or IPv6 address, a DNS name, host:port,
 * or an http(s) URL. https is assumed when no scheme is given; http is allowed for
 * emulators.
 */
public final class BmcAddress {
    private BmcAddress() {}

    private static final String LABEL = "[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?";
    private static final String HOSTNAME = LABEL + "(\\." + LABEL + ")*";
    private static final Pattern IPV4 = Pattern.compile(
            "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    private static final Pattern HOST_NAME = Pattern.compile(HOSTNAME);
    private static final Pattern DIGITS_AND_DOTS = Pattern.compile("[0-9.]+");

    /** Returns null when valid, else what is wrong with it. */
    public static String problem(String text) {
        String t = text.trim();
        if (t.isEmpty()) return "empty address";
        String lower = t.toLowerCase(Locale.ROOT);
        if (lower.contains("://")) {
            if (!lower.startsWith("http://") && !lower.startsWith("https://")) {
                return "only http:// and https:// URLs are allowed";
            }
            try {
                URI uri = new URI(t);
                if (uri.getHost() == null) return "URL has no host";
                return null;
            } catch (URISyntaxException e) {
                return "not a valid URL";
            }
        }
        String host = t;
        if (t.startsWith("[")) {
            int end = t.indexOf(']');
            if (end < 0) return "unclosed [ in IPv6 address";
            host = t.substring(1, end);
            String rest = t.substring(end + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) return "unexpected text after IPv6 address";
                String portProblem = portProblem(rest.substring(1));
                if (portProblem != null) return portProblem;
            }
            return isIpv6(host) ? null : "not a valid IPv6 address";
        }
        if (t.chars().filter(c -> c == ':').count() > 1) {
            return isIpv6(t) ? null : "not a valid IPv6 address";
        }
        int colon = t.indexOf(':');
        if (colon >= 0) {
            host = t.substring(0, colon);
            String portProblem = portProblem(t.substring(colon + 1));
            if (portProblem != null) return portProblem;
        }
        if (DIGITS_AND_DOTS.matcher(host).matches()) {
            return IPV4.matcher(host).matches() ? null : "not a valid IPv4 address";
        }
        if (host.length() > 253 || !HOST_NAME.matcher(host).matches()) return "not a valid IP address or host name";
        return null;
    }

    /** The base URL of the BMC's web service: https:// unless the address says http://. */
    public static URI baseUri(String address) {
        String t = address.trim();
        String withScheme = t.toLowerCase(Locale.ROOT).contains("://") ? t : "https://" + t;
        URI uri = URI.create(withScheme);
        return URI.create(uri.getScheme() + "://" + uri.getRawAuthority());
    }

    /** The host part alone (no scheme, port or brackets), for protocols with their own port such as IPMI. */
    public static String host(String address) {
        String host = baseUri(address).getHost();
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }

    private static String portProblem(String port) {
        try {
            int p = Integer.parseInt(port);
            return p >= 1 && p <= 65535 ? null : "port " + port + " is out of range";
        } catch (NumberFormatException e) {
            return "port '" + port + "' is not a number";
        }
    }

    /** Hex digits, colons and dots only: checked before the JDK parses it, so that no name is ever looked up. */
    private static final java.util.regex.Pattern IPV6_CHARS = java.util.regex.Pattern.compile("[0-9a-fA-F:.]+");

    private static boolean isIpv6(String text) {
        if (!IPV6_CHARS.matcher(text).matches() || !text.contains(":")) return false;
        try {
            return java.net.InetAddress.getByName(text) instanceof java.net.Inet6Address;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }
}

package dev.metal.boot;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** The URLs of the boot server, in one place for the server, the content and the lab machines. */
public final class BootUrls {
    private BootUrls() {}

    public static String config(String baseUrl, String hostname, String kind, String token) {
        return trim(baseUrl) + "/config/" + enc(hostname) + "/" + enc(kind) + "?token=" + enc(token);
    }

    public static String phoneHome(String baseUrl, String hostname, String token) {
        return trim(baseUrl) + "/phone-home/" + enc(hostname) + "?token=" + enc(token);
    }

    public static String file(String baseUrl, String relativePath) {
        return trim(baseUrl) + "/files/" + relativePath;
    }

    public static String ipxe(String baseUrl, String mac) {
        return trim(baseUrl) + "/ipxe?mac=" + enc(mac);
    }

    private static String trim(String baseUrl) {
        return baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}

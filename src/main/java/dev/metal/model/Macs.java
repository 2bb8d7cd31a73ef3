package dev.metal.model;

import java.util.Locale;

/** MAC address parsing: every common vendor spelling in, lower-case colon form out. */
public final class Macs {
    private Macs() {}

    /**
     * Accepts aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff, aabb.ccdd.eeff and aabbccddeeff in any case.
     * Returns null when the text is not a unicast-usable MAC (wrong length, all zeros, broadcast).
     */
    public static String normalize(String text) {
        if (text == null) return null;
        String t = text.trim();
        String hex;
        if (t.matches("(?i)[0-9a-f]{1,2}([:-][0-9a-f]{1,2}){5}")) {
            StringBuilder b = new StringBuilder();
            for (String part : t.split("[:-]")) b.append(part.length() == 1 ? "0" + part : part);
            hex = b.toString();
        } else if (t.matches("(?i)[0-9a-f]{4}\\.[0-9a-f]{4}\\.[0-9a-f]{4}")) {
            hex = t.replace(".", "");
        } else if (t.matches("(?i)[0-9a-f]{12}")) {
            hex = t;
        } else {
            return null;
        }
        hex = hex.toLowerCase(Locale.ROOT);
        if (hex.equals("000000000000") || hex.equals("ffffffffffff")) return null;
        StringBuilder out = new StringBuilder(17);
        for (int i = 0; i < 12; i += 2) {
            if (i > 0) out.append(':');
            out.append(hex, i, i + 2);
        }
        return out.toString();
    }
}

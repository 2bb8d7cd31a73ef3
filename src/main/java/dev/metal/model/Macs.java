package dev.metal.model;

import java.util.Locale;
import java.util.regex.Pattern;

/** MAC address parsing: every common vendor spelling in, lower-case colon form out. */
public final class Macs {
    private static final Pattern SEPARATED = Pattern.compile("(?i)[0-9a-f]{1,2}([:-][0-9a-f]{1,2}){5}");
    private static final Pattern CISCO = Pattern.compile("(?i)[0-9a-f]{4}\\.[0-9a-f]{4}\\.[0-9a-f]{4}");
    private static final Pattern SEPARATOR = Pattern.compile("[:-]");
    private static final Pattern BARE = Pattern.compile("(?i)[0-9a-f]{12}");
    private static final Pattern CANONICAL = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){5}");

    private Macs() {}

    /**
     * Accepts aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff, aabb.ccdd.eeff and aabbccddeeff in any case.
     * Returns null when the text is not a unicast-usable MAC (wrong length, all zeros, broadcast).
     */
    public static String normalize(String text) {
        if (text == null) return null;
        String t = text.trim();
        // MACs read back from the state are in this form already: nothing to rebuild.
        if (CANONICAL.matcher(t).matches()) {
            return t.equals("00:00:00:00:00:00") || t.equals("ff:ff:ff:ff:ff:ff") ? null : t;
        }
        String hex;
        if (SEPARATED.matcher(t).matches()) {
            StringBuilder b = new StringBuilder();
            for (String part : SEPARATOR.split(t)) b.append(part.length() == 1 ? "0" + part : part);
            hex = b.toString();
        } else if (CISCO.matcher(t).matches()) {
            hex = t.replace(".", "");
        } else if (BARE.matcher(t).matches()) {
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

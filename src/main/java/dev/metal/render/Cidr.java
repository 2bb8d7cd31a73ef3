package dev.metal.render;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 prefix such as 203.0.113.0/26: parsing, membership and the n-th address,
 * which is all that deterministic allocation needs.
 */
public record Cidr(BigInteger network, int prefix, boolean v6) {

    /** Parsed prefixes: a site has few, and allocation and rendering ask for them per host. */
    private static final java.util.concurrent.ConcurrentHashMap<String, Cidr> PARSED = new java.util.concurrent.ConcurrentHashMap<>();

    /** Parses "address/prefix"; throws IllegalArgumentException with a short reason. */
    public static Cidr parse(String text) {
        Cidr c = PARSED.get(text);
        if (c != null) return c;
        c = parseNew(text);
        if (PARSED.size() > 100_000) PARSED.clear();
        PARSED.put(text, c);
        return c;
    }

    private static Cidr parseNew(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) throw new IllegalArgumentException("'" + text + "' has no /prefix");
        BigInteger addr = address(text.substring(0, slash));
        boolean v6 = text.indexOf(':') >= 0;
        int bits = v6 ? 128 : 32;
        int prefix;
        try {
            prefix = Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' has a prefix that is not a number");
        }
        if (prefix < 0 || prefix > bits) throw new IllegalArgumentException("'" + text + "' has prefix out of range");
        BigInteger hostMask = BigInteger.ONE.shiftLeft(bits - prefix).subtract(BigInteger.ONE);
        if (!addr.and(hostMask).equals(BigInteger.ZERO)) {
            throw new IllegalArgumentException("'" + text + "' has host bits set");
        }
        return new Cidr(addr, prefix, v6);
    }

    /** A plain address as a number; IPv4 literals only in dotted form (no names are looked up). */
    public static BigInteger address(String text) {
        String t = text.trim();
        boolean v6 = t.indexOf(':') >= 0;
        if (!(v6 ? t.matches("[0-9a-fA-F:.]+") : t.matches("\\d{1,3}(\\.\\d{1,3}){3}"))) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address");
        }
        try {
            InetAddress a = InetAddress.getByName(t);
            if (v6 != (a instanceof Inet6Address) || (!v6 && !(a instanceof Inet4Address))) {
                throw new IllegalArgumentException("'" + text + "' is not an IP address");
            }
            return new BigInteger(1, a.getAddress());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address");
        }
    }

    public int bits() {
        return v6 ? 128 : 32;
    }

    /** How many addresses the prefix holds. */
    public BigInteger size() {
        return BigInteger.ONE.shiftLeft(bits() - prefix);
    }

    public boolean contains(String addressText) {
        BigInteger a = address(addressText);
        if ((addressText.indexOf(':') >= 0) != v6) return false;
        return a.shiftRight(bits() - prefix).equals(network.shiftRight(bits() - prefix));
    }

    /** The address {@code index} places after the network address, as text. */
    public String nth(long index) {
        return format(network.add(BigInteger.valueOf(index)));
    }

    public String format(BigInteger value) {
        byte[] raw = value.toByteArray();
        byte[] out = new byte[v6 ? 16 : 4];
        int copy = Math.min(raw.length, out.length);
        System.arraycopy(raw, raw.length - copy, out, out.length - copy, copy);
        try {
            String s = InetAddress.getByAddress(out).getHostAddress();
            return v6 ? compress(s) : s;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The IPv4 netmask in dotted form, for the installer. */
    public String netmask() {
        BigInteger mask = BigInteger.ONE.shiftLeft(prefix).subtract(BigInteger.ONE).shiftLeft(bits() - prefix);
        return format(mask);
    }

    @Override
    public String toString() {
        return format(network) + "/" + prefix;
    }

    /** Java prints 2001:db8:0:0:0:0:0:a; people and the tools write 2001:db8::a. */
    static String compress(String full) {
        String[] parts = full.split(":");
        for (int i = 0; i < parts.length; i++) parts[i] = parts[i].replaceFirst("^0+(?=.)", "");
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < parts.length; ) {
            if (!parts[i].equals("0")) {
                i++;
                continue;
            }
            int j = i;
            while (j < parts.length && parts[j].equals("0")) j++;
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        if (bestStart < 0) return String.join(":", parts);
        String head = String.join(":", java.util.Arrays.copyOfRange(parts, 0, bestStart));
        String tail = String.join(":", java.util.Arrays.copyOfRange(parts, bestStart + bestLen, parts.length));
        return head + "::" + tail;
    }
}

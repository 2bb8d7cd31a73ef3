package dev.metal.discover;

import dev.metal.model.BadInputException;
import dev.metal.model.Macs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * DHCP lease files of the three servers people run: dnsmasq, ISC dhcpd and Kea (memfile
 * CSV). Each gives MAC → IPv4 address; when a MAC has several leases, the one that
 * expires last wins, as the server itself would answer.
 */
public final class Leases {
    public enum Format { DNSMASQ, ISC, KEA }

    /** One lease: a MAC in lower-case colon form, its address and when it ends (null: never). */
    public record Lease(String mac, String ip, Instant expires, String hostname) {}

    /** A lease file read: the format it was read as, and the newest lease of each MAC. */
    public record Parsed(Format format, Map<String, Lease> byMac) {}

    private Leases() {}

    /** Reads a lease file in this format, or in the one its content shows when format is null. */
    public static Parsed read(Path file, Format format) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new BadInputException("lease file " + file + " does not exist");
        } catch (IOException e) {
            throw new BadInputException("cannot read lease file " + file + ": " + e.getMessage());
        }
        Format f = format != null ? format : detect(text);
        if (f == null) {
            throw new BadInputException("lease file " + file + ": not a dnsmasq, ISC dhcpd or Kea lease file "
                    + "(use --format to say which)");
        }
        List<String> problems = new ArrayList<>();
        List<Lease> leases = switch (f) {
            case DNSMASQ -> dnsmasq(text, file, problems);
            case ISC -> isc(text, file, problems);
            case KEA -> kea(text, file, problems);
        };
        if (!problems.isEmpty()) throw new BadInputException(problems);
        Map<String, Lease> byMac = new LinkedHashMap<>();
        for (Lease l : leases) {
            Lease old = byMac.get(l.mac());
            if (old == null || later(l.expires(), old.expires())) byMac.put(l.mac(), l);
        }
        return new Parsed(f, byMac);
    }

    private static boolean later(Instant a, Instant b) {
        if (a == null) return true;
        if (b == null) return false;
        return !a.isBefore(b);
    }

    /** Guesses the format from the content. */
    public static Format detect(String text) {
        for (String line : text.split("\n")) {
            String t = line.trim();
            if (t.isEmpty() || t.startsWith("#")) continue;
            if (t.startsWith("address,")) return Format.KEA;
            if (t.startsWith("lease ") || t.startsWith("server-duid") || t.startsWith("authoring-byte-order")
                    || t.startsWith("failover ")) {
                return Format.ISC;
            }
            if (t.matches("\\d+ \\S+ \\S+ \\S+.*") || t.startsWith("duid ")) return Format.DNSMASQ;
            return null;
        }
        return null;
    }

    /** dnsmasq: "expiry-epoch mac ip hostname client-id" per line; 0 means infinite; IPv6 lines follow "duid". */
    static List<Lease> dnsmasq(String text, Path file, List<String> problems) {
        List<Lease> out = new ArrayList<>();
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) {
            String t = lines[i].trim();
            if (t.isEmpty() || t.startsWith("duid ")) continue;
            String[] f = t.split("\\s+");
            if (f.length < 4) {
                problems.add(file + " line " + (i + 1) + ": expected 'expiry mac ip hostname client-id'");
                continue;
            }
            if (f[2].contains(":")) continue; // an IPv6 lease: field 2 is the IAID, not a MAC
            String mac = Macs.normalize(f[1]);
            if (mac == null) continue; // InfiniBand or other hardware types
            Instant expiry;
            try {
                long seconds = Long.parseLong(f[0]);
                expiry = seconds == 0 ? null : Instant.ofEpochSecond(seconds);
            } catch (NumberFormatException | java.time.DateTimeException e) {
                problems.add(file + " line " + (i + 1) + ": expiry '" + f[0] + "' is not a time (seconds since 1970)");
                continue;
            }
            out.add(new Lease(mac, f[2], expiry, f[3].equals("*") ? null : f[3]));
        }
        return out;
    }

    private static final Pattern ISC_LEASE = Pattern.compile("lease\\s+([0-9.]+)\\s*\\{(.*?)\\}", Pattern.DOTALL);
    private static final DateTimeFormatter ISC_TIME = DateTimeFormatter.ofPattern("yyyy/MM/dd HH:mm:ss");

    /** ISC dhcpd.leases: "lease IP { ... hardware ethernet MAC; ends W YYYY/MM/DD HH:MM:SS; binding state active; }". */
    static List<Lease> isc(String text, Path file, List<String> problems) {
        List<Lease> out = new ArrayList<>();
        Matcher m = ISC_LEASE.matcher(stripComments(text));
        while (m.find()) {
            String ip = m.group(1);
            String body = m.group(2);
            String mac = null;
            Instant ends = null;
            String state = null;
            String hostname = null;
            for (String stmt : body.split(";")) {
                String s = stmt.trim();
                if (s.startsWith("hardware ethernet ")) {
                    mac = Macs.normalize(s.substring("hardware ethernet ".length()).trim());
                } else if (s.startsWith("ends ")) {
                    try {
                        ends = iscTime(s.substring(5).trim());
                    } catch (NumberFormatException | java.time.DateTimeException e) {
                        problems.add(file + ": lease " + ip + ": cannot read '" + s + "' as a time");
                    }
                } else if (s.startsWith("binding state ")) {
                    state = s.substring("binding state ".length()).trim();
                } else if (s.startsWith("client-hostname ")) {
                    hostname = s.substring("client-hostname ".length()).replace("\"", "").trim();
                }
            }
            if (mac == null) continue;
            if (state != null && !state.equals("active") && !state.equals("static")) continue;
            out.add(new Lease(mac, ip, ends, hostname));
        }
        return out;
    }

    private static String stripComments(String text) {
        StringBuilder b = new StringBuilder();
        for (String line : text.split("\n")) {
            if (!line.trim().startsWith("#")) b.append(line).append('\n');
        }
        return b.toString();
    }

    /** "4 2026/11/21 18:00:00" (UTC), "epoch 1763745600; # ...", or "never". */
    private static Instant iscTime(String value) {
        if (value.equals("never")) return null;
        if (value.startsWith("epoch ")) return Instant.ofEpochSecond(Long.parseLong(value.substring(6).trim()));
        String[] parts = value.split("\\s+");
        if (parts.length < 3) return null;
        return LocalDateTime.parse(parts[1] + " " + parts[2], ISC_TIME).toInstant(ZoneOffset.UTC);
    }

    /** Kea memfile lease4 CSV: a header line naming the columns (address, hwaddr, expire, state...). */
    static List<Lease> kea(String text, Path file, List<String> problems) {
        List<Lease> out = new ArrayList<>();
        String[] lines = text.split("\n");
        Map<String, Integer> col = new LinkedHashMap<>();
        for (int i = 0; i < lines.length; i++) {
            String t = lines[i].trim();
            if (t.isEmpty()) continue;
            String[] f = t.split(",", -1);
            if (col.isEmpty()) {
                for (int c = 0; c < f.length; c++) col.put(f[c].trim().toLowerCase(Locale.ROOT), c);
                if (!col.containsKey("address") || !col.containsKey("hwaddr")) {
                    problems.add(file + " line " + (i + 1) + ": Kea header must name address and hwaddr");
                    return out;
                }
                continue;
            }
            String mac = Macs.normalize(field(f, col, "hwaddr"));
            String ip = field(f, col, "address");
            if (mac == null || ip == null || ip.isEmpty()) continue;
            String state = field(f, col, "state");
            if (state != null && !state.isEmpty() && !state.equals("0")) continue; // declined or reclaimed
            String expire = field(f, col, "expire");
            Instant expires = null;
            if (expire != null && !expire.isEmpty()) {
                try {
                    expires = Instant.ofEpochSecond(Long.parseLong(expire));
                } catch (NumberFormatException | java.time.DateTimeException e) {
                    problems.add(file + " line " + (i + 1) + ": expire '" + expire + "' is not a time (seconds since 1970)");
                    continue;
                }
            }
            String host = field(f, col, "hostname");
            out.add(new Lease(mac, ip, expires, host == null || host.isEmpty() ? null : host));
        }
        return out;
    }

    private static String field(String[] f, Map<String, Integer> col, String name) {
        Integer i = col.get(name);
        return i == null || i >= f.length ? null : f[i].trim();
    }
}

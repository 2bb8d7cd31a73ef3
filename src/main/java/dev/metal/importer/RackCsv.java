package dev.metal.importer;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.metal.model.BadInputException;
import dev.metal.model.Bmc;
import dev.metal.model.BmcAddress;
import dev.metal.model.Macs;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads and checks a rack CSV. Every problem in the file is collected with its line
 * before anything is reported, so that one run shows them all.
 */
public final class RackCsv {
    /** Column name → what it holds, for --help and error messages. */
    public static final Map<String, String> COLUMNS = columns();
    private static final List<String> COLUMN_NAMES = List.copyOf(COLUMNS.keySet());
    static final List<String> REQUIRED = List.of("hostname", "rack", "u", "bmc_mac");

    /**
     * Site-wide BMC credentials for rows that leave bmc_user or bmc_password out (or empty);
     * the password is a literal, env:VAR or file:PATH. Null: the CSV must give them.
     */
    public record Defaults(String bmcUser, String bmcPassword) {
        public static final Defaults NONE = new Defaults(null, null);

        public Defaults {
            bmcUser = bmcUser == null || bmcUser.isBlank() ? null : bmcUser.trim();
            bmcPassword = bmcPassword == null || bmcPassword.isEmpty() ? null : bmcPassword;
        }

        /** Problems with the defaults themselves, naming the options. */
        public List<String> problems() {
            List<String> p = new ArrayList<>();
            if ("env:".equals(bmcPassword)) p.add("--bmc-password names no variable");
            if ("file:".equals(bmcPassword)) p.add("--bmc-password names no file");
            return p;
        }
    }

    private static Map<String, String> columns() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("hostname", "host name (letters, digits, '-', '.'), unique");
        c.put("rack", "rack name");
        c.put("u", "rack unit, 1-60");
        c.put("bmc_mac", "MAC of the BMC port, unique; any usual notation");
        c.put("bmc_address", "optional: IP, name, host:port or URL; else 'metal discover'");
        c.put("bmc_user", "BMC user name; may be left out with --bmc-user");
        c.put("bmc_password", "BMC password: a literal, env:VAR or file:PATH (read when used); "
                + "may be left out with --bmc-password");
        c.put("ipmi_port", "optional: IPMI UDP port, default 623");
        c.put("mgmt_mac", "optional: MAC of the management (PXE) NIC, unique; else from the scrape, "
                + "through the NIC the site plan's nics.mgmt names in the matched profile");
        c.put("serial", "optional: chassis serial number");
        c.put("tags", "optional: tags separated by ';' or spaces");
        return c;
    }

    private static final Pattern HOSTNAME =
            Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");
    private static final Pattern RACK = Pattern.compile("[A-Za-z0-9._-]+");
    private static final Pattern TAG_SEPARATOR = Pattern.compile("[;\\s]+");

    private RackCsv() {}

    /** The valid rows of a file and the problems of the others, each with its line. */
    public record Sheet(List<RackRow> rows, Problems problems) {}

    /**
     * Reads the file. A file that cannot be read as a rack CSV at all (no file, bad header)
     * throws {@link BadInputException}; problems in rows are returned with the valid rows, so
     * that the caller can add its own findings and report them all at once.
     */
    public static Sheet read(Path file) {
        return read(file, Defaults.NONE);
    }

    /** The same, with {@code defaults} for the BMC credentials a row leaves out. */
    public static Sheet read(Path file, Defaults defaults) {
        String name = file.toString();
        Problems problems = new Problems(name);
        List<RackRow> rows = new ArrayList<>();
        CsvMapper mapper = new CsvMapper();
        mapper.enable(CsvParser.Feature.WRAP_AS_ARRAY);
        mapper.enable(CsvParser.Feature.TRIM_SPACES);
        try (Reader reader = new java.io.StringReader(text(file, problems));
             MappingIterator<String[]> it = mapper.readerFor(String[].class)
                     .with(CsvSchema.emptySchema().withComments())
                     .readValues(reader)) {
            if (!it.hasNextValue()) throw new BadInputException(name + ": empty file, expected a header line");
            String[] header = it.nextValue();
            int[] index = headerIndex(header, defaults, problems);
            Seen seen = new Seen();
            while (it.hasNextValue()) {
                int line = it.getCurrentLocation().getLineNr();
                String[] cells = it.nextValue();
                if (isBlank(cells)) continue;
                RackRow row = row(line, header.length, cells, index, defaults, problems);
                if (row != null) {
                    seen.check(row, problems);
                    rows.add(row);
                }
            }
        } catch (NoSuchFileException e) {
            throw new BadInputException(name + ": no such file");
        } catch (IOException | RuntimeException e) {
            if (e instanceof BadInputException b) throw b;
            problems.addFile("not a readable CSV file: " + firstLine(e.getMessage()));
        }
        return new Sheet(rows, problems);
    }

    /** The file as UTF-8 text; other encodings are named, with the line of the first byte that is not UTF-8. */
    private static String text(Path file, Problems problems) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        boolean utf16 = bytes.length >= 2 && ((bytes[0] == (byte) 0xfe && bytes[1] == (byte) 0xff)
                || (bytes[0] == (byte) 0xff && bytes[1] == (byte) 0xfe));
        for (int i = 0; i < Math.min(bytes.length, 4096) && !utf16; i++) utf16 = bytes[i] == 0;
        if (utf16) {
            problems.addFile("is UTF-16 (or holds NUL bytes); save it as UTF-8");
            throw new BadInputException(problems.list());
        }
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length);
        java.nio.charset.CoderResult r = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                .decode(in, out, true);
        if (r.isError()) {
            int line = 1;
            for (int i = 0; i < in.position(); i++) if (bytes[i] == '\n') line++;
            problems.add(line, "not UTF-8 text (Latin-1 or Windows-1252?); save the file as UTF-8");
            throw new BadInputException(problems.list());
        }
        out.flip();
        return out.toString();
    }

    private static String firstLine(String message) {
        if (message == null) return "unknown error";
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    private static boolean isBlank(String[] cells) {
        return Arrays.stream(cells).allMatch(c -> c == null || c.isBlank());
    }

    /** Column positions by name, -1 for an absent optional column. */
    private static int[] headerIndex(String[] header, Defaults defaults, Problems problems) {
        List<String> names = COLUMN_NAMES;
        int[] index = new int[names.size()];
        Arrays.fill(index, -1);
        for (int i = 0; i < header.length; i++) {
            String h = header[i].trim().toLowerCase(Locale.ROOT).replace('-', '_').replace(' ', '_');
            if (h.startsWith("\ufeff")) h = h.substring(1);
            int known = names.indexOf(h);
            if (known < 0) {
                problems.add(1, "unknown column '" + header[i].trim() + "' (known: "
                        + String.join(", ", names) + ")");
            } else if (index[known] >= 0) {
                problems.add(1, "column '" + h + "' appears twice");
            } else {
                index[known] = i;
            }
        }
        for (String required : REQUIRED) {
            if (index[names.indexOf(required)] < 0) {
                problems.add(1, "missing required column '" + required + "'");
            }
        }
        if (index[names.indexOf("bmc_user")] < 0 && defaults.bmcUser() == null) {
            problems.add(1, "missing column 'bmc_user' (or give --bmc-user for all rows)");
        }
        if (index[names.indexOf("bmc_password")] < 0 && defaults.bmcPassword() == null) {
            problems.add(1, "missing column 'bmc_password' (or give --bmc-password for all rows)");
        }
        if (!problems.isEmpty()) throw new BadInputException(problems.list());
        return index;
    }

    /**
     * Row problems name the column and what it takes, never the value: in a row whose fields
     * are out of place, any field may hold the BMC password.
     */
    private static RackRow row(int line, int width, String[] cells, int[] index, Defaults defaults,
                               Problems problems) {
        List<String> found = new ArrayList<>();
        if (cells.length != width) {
            problems.add(line, "expected " + width + " fields, found " + cells.length);
            return null;
        }
        Map<String, String> v = new HashMap<>();
        for (int i = 0; i < COLUMN_NAMES.size(); i++) {
            v.put(COLUMN_NAMES.get(i), index[i] < 0 ? "" : cells[index[i]].trim());
        }
        for (String required : REQUIRED) {
            if (v.get(required).isEmpty()) found.add("missing " + required);
        }
        if (v.get("bmc_user").isEmpty()) {
            if (defaults.bmcUser() == null) found.add("missing bmc_user (give the column, or --bmc-user for all rows)");
            else v.put("bmc_user", defaults.bmcUser());
        }
        if (v.get("bmc_password").isEmpty()) {
            if (defaults.bmcPassword() == null) {
                found.add("missing bmc_password (give the column, or --bmc-password for all rows)");
            } else {
                v.put("bmc_password", defaults.bmcPassword());
            }
        }
        String hostname = v.get("hostname").toLowerCase(Locale.ROOT);
        if (!hostname.isEmpty() && !HOSTNAME.matcher(hostname).matches()) {
            found.add("bad hostname (a DNS name: letters, digits and '-', labels of at most 63 characters)");
        }
        String rack = v.get("rack");
        if (!rack.isEmpty() && !RACK.matcher(rack).matches()) {
            found.add("bad rack (letters, digits, '.', '_', '-')");
        }
        int u = number(v.get("u"), 1, 60, "u", found, 0);
        String bmcMac = mac(v.get("bmc_mac"), "bmc_mac", found);
        String mgmtMac = mac(v.get("mgmt_mac"), "mgmt_mac", found);
        String address = v.get("bmc_address");
        if (!address.isEmpty()) {
            String problem = BmcAddress.problem(address);
            if (problem != null) found.add("bad bmc_address: " + problem);
        }
        String password = v.get("bmc_password");
        if (password.equals("env:") || password.equals("file:")) {
            found.add("bmc_password names no " + (password.equals("env:") ? "variable" : "file"));
        }
        int ipmiPort = number(v.get("ipmi_port"), 1, 65535, "ipmi_port", found, Bmc.DEFAULT_IPMI_PORT);
        List<String> tags = v.get("tags").isEmpty() ? List.of()
                : Arrays.stream(TAG_SEPARATOR.split(v.get("tags"))).filter(t -> !t.isEmpty()).distinct().toList();
        if (!found.isEmpty()) {
            found.forEach(f -> problems.add(line, f));
            return null;
        }
        return new RackRow(line, hostname, rack, u, bmcMac, address.isEmpty() ? null : address, v.get("bmc_user"),
                password, ipmiPort, mgmtMac, v.get("serial").isEmpty() ? null : v.get("serial"), tags);
    }

    private static int number(String text, int min, int max, String column, List<String> found, int fallback) {
        if (text.isEmpty()) return fallback;
        try {
            int n = Integer.parseInt(text);
            if (n >= min && n <= max) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        found.add("bad " + column + " (a whole number " + min + "-" + max + ")");
        return fallback;
    }

    private static String mac(String text, String column, List<String> found) {
        if (text.isEmpty()) return null;
        String mac = Macs.normalize(text);
        if (mac == null) found.add("bad " + column + " (a MAC address like 0c:c4:7a:00:01:01)");
        return mac;
    }

    /** Duplicates within the file: hostnames and MACs (a BMC MAC may not be a NIC's either). */
    private static final class Seen {
        final Map<String, Integer> hostnames = new HashMap<>();
        final Map<String, Integer> macs = new HashMap<>();

        void check(RackRow row, Problems problems) {
            Integer first = hostnames.putIfAbsent(row.hostname(), row.line());
            if (first != null) {
                problems.add(row.line(), "duplicate hostname " + row.hostname() + " (first on line " + first + ")");
            }
            duplicateMac("BMC MAC", row.bmcMac(), row.line(), problems);
            if (row.mgmtMac() != null) duplicateMac("mgmt MAC", row.mgmtMac(), row.line(), problems);
        }

        private void duplicateMac(String what, String mac, int line, Problems problems) {
            Integer first = macs.putIfAbsent(mac, line);
            if (first != null) problems.add(line, "duplicate " + what + " " + mac + " (also on line " + first + ")");
        }
    }
}

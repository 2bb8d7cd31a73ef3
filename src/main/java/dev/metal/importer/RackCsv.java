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

/**
 * Reads and checks a rack CSV. Every problem in the file is collected with its line
 * before anything is reported, so that one run shows them all.
 */
public final class RackCsv {
    /** Column name → what it holds, for --help and error messages. */
    public static final Map<String, String> COLUMNS = columns();
    static final List<String> REQUIRED = List.of("hostname", "rack", "u", "bmc_mac", "bmc_user", "bmc_password",
            "mgmt_mac");

    private static Map<String, String> columns() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("hostname", "host name (letters, digits, '-', '.'), unique");
        c.put("rack", "rack name");
        c.put("u", "rack unit, 1-60");
        c.put("bmc_mac", "MAC of the BMC port, unique (aa:bb:.., aa-bb-.., aabb.ccdd.eeff, aabbccddeeff)");
        c.put("bmc_address", "optional: IP, name, host:port or URL (https unless http:// is given); "
                + "else found by 'metal discover'");
        c.put("bmc_user", "BMC user name");
        c.put("bmc_password", "BMC password: a literal, env:VAR or file:PATH (read when used)");
        c.put("ipmi_port", "optional: IPMI UDP port, default 623");
        c.put("mgmt_mac", "MAC of the management (PXE) NIC, unique");
        c.put("serial", "optional: chassis serial number");
        c.put("tags", "optional: tags separated by ';' or spaces");
        return c;
    }

    private RackCsv() {}

    /** Reads the file; throws {@link BadInputException} listing every problem with its line. */
    public static List<RackRow> read(Path file) {
        String name = file.toString();
        List<String> problems = new ArrayList<>();
        List<RackRow> rows = new ArrayList<>();
        CsvMapper mapper = new CsvMapper();
        mapper.enable(CsvParser.Feature.WRAP_AS_ARRAY);
        mapper.enable(CsvParser.Feature.TRIM_SPACES);
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             MappingIterator<String[]> it = mapper.readerFor(String[].class)
                     .with(CsvSchema.emptySchema().withComments())
                     .readValues(reader)) {
            if (!it.hasNextValue()) throw new BadInputException(name + ": empty file, expected a header line");
            String[] header = it.nextValue();
            int[] index = headerIndex(name, header, problems);
            Seen seen = new Seen();
            while (it.hasNextValue()) {
                int line = it.getCurrentLocation().getLineNr();
                String[] cells = it.nextValue();
                if (isBlank(cells)) continue;
                RackRow row = row(name, line, header.length, cells, index, problems);
                if (row != null) {
                    seen.check(name, row, problems);
                    rows.add(row);
                }
            }
        } catch (NoSuchFileException e) {
            throw new BadInputException(name + ": no such file");
        } catch (IOException | RuntimeException e) {
            if (e instanceof BadInputException b) throw b;
            problems.add(name + ": not a readable CSV file: " + firstLine(e.getMessage()));
        }
        if (!problems.isEmpty()) throw new BadInputException(problems);
        return rows;
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
    private static int[] headerIndex(String file, String[] header, List<String> problems) {
        List<String> names = new ArrayList<>(COLUMNS.keySet());
        int[] index = new int[names.size()];
        Arrays.fill(index, -1);
        for (int i = 0; i < header.length; i++) {
            String h = header[i].trim().toLowerCase(Locale.ROOT).replace('-', '_').replace(' ', '_');
            if (h.startsWith("\ufeff")) h = h.substring(1);
            int known = names.indexOf(h);
            if (known < 0) {
                problems.add(file + " line 1: unknown column '" + header[i].trim() + "' (known: "
                        + String.join(", ", names) + ")");
            } else if (index[known] >= 0) {
                problems.add(file + " line 1: column '" + h + "' appears twice");
            } else {
                index[known] = i;
            }
        }
        for (String required : REQUIRED) {
            if (index[names.indexOf(required)] < 0) {
                problems.add(file + " line 1: missing required column '" + required + "'");
            }
        }
        if (!problems.isEmpty()) throw new BadInputException(problems);
        return index;
    }

    private static RackRow row(String file, int line, int width, String[] cells, int[] index, List<String> problems) {
        String at = file + " line " + line + ": ";
        int before = problems.size();
        if (cells.length != width) {
            problems.add(at + "expected " + width + " fields, found " + cells.length);
            return null;
        }
        Map<String, String> v = new HashMap<>();
        List<String> names = new ArrayList<>(COLUMNS.keySet());
        for (int i = 0; i < names.size(); i++) {
            v.put(names.get(i), index[i] < 0 ? "" : cells[index[i]].trim());
        }
        for (String required : REQUIRED) {
            if (v.get(required).isEmpty()) problems.add(at + "missing " + required);
        }
        String hostname = v.get("hostname").toLowerCase(Locale.ROOT);
        if (!hostname.isEmpty() && !hostname.matches(
                "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*")) {
            problems.add(at + "bad hostname '" + v.get("hostname") + "'");
        }
        String rack = v.get("rack");
        if (!rack.isEmpty() && !rack.matches("[A-Za-z0-9._-]+")) {
            problems.add(at + "bad rack '" + rack + "' (letters, digits, '.', '_', '-')");
        }
        int u = number(v.get("u"), 1, 60, "u", at, problems, 0);
        String bmcMac = mac(v.get("bmc_mac"), "bmc_mac", at, problems);
        String mgmtMac = mac(v.get("mgmt_mac"), "mgmt_mac", at, problems);
        String address = v.get("bmc_address");
        if (!address.isEmpty()) {
            String problem = BmcAddress.problem(address);
            if (problem != null) problems.add(at + "bad bmc_address '" + address + "': " + problem);
        }
        String password = v.get("bmc_password");
        if (password.equals("env:") || password.equals("file:")) {
            problems.add(at + "bmc_password names no " + (password.equals("env:") ? "variable" : "file"));
        }
        int ipmiPort = v.get("ipmi_port").isEmpty() ? Bmc.DEFAULT_IPMI_PORT
                : number(v.get("ipmi_port"), 1, 65535, "ipmi_port", at, problems, 0);
        List<String> tags = v.get("tags").isEmpty() ? List.of()
                : Arrays.stream(v.get("tags").split("[;\\s]+")).filter(t -> !t.isEmpty()).distinct().toList();
        if (problems.size() > before) return null;
        return new RackRow(line, hostname, rack, u, bmcMac, address.isEmpty() ? null : address, v.get("bmc_user"),
                password, ipmiPort, mgmtMac, v.get("serial").isEmpty() ? null : v.get("serial"), tags);
    }

    private static int number(String text, int min, int max, String column, String at, List<String> problems,
                              int fallback) {
        if (text.isEmpty()) return fallback;
        try {
            int n = Integer.parseInt(text);
            if (n >= min && n <= max) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        problems.add(at + "bad " + column + " '" + text + "' (a whole number " + min + "-" + max + ")");
        return fallback;
    }

    private static String mac(String text, String column, String at, List<String> problems) {
        if (text.isEmpty()) return null;
        String mac = Macs.normalize(text);
        if (mac == null) problems.add(at + "bad " + column + " '" + text + "'");
        return mac;
    }

    /** Duplicates within the file: hostnames and MACs (a BMC MAC may not be a NIC's either). */
    private static final class Seen {
        final Map<String, Integer> hostnames = new HashMap<>();
        final Map<String, Integer> macs = new HashMap<>();

        void check(String file, RackRow row, List<String> problems) {
            String at = file + " line " + row.line() + ": ";
            Integer first = hostnames.putIfAbsent(row.hostname(), row.line());
            if (first != null) problems.add(at + "duplicate hostname " + row.hostname() + " (first on line " + first + ")");
            duplicateMac(at, "BMC MAC", row.bmcMac(), row.line(), problems);
            duplicateMac(at, "mgmt MAC", row.mgmtMac(), row.line(), problems);
        }

        private void duplicateMac(String at, String what, String mac, int line, List<String> problems) {
            Integer first = macs.putIfAbsent(mac, line);
            if (first != null) problems.add(at + "duplicate " + what + " " + mac + " (also on line " + first + ")");
        }
    }
}

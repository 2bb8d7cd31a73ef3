package dev.metal.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layers of DESIGN.md, checked on the compiled classes: which metal packages each
 * package's classes refer to, read from their constant pools (every class, field and method
 * type a class names is there, imported or written out in full).
 */
class ArchitectureTest {
    private static final Pattern TYPE = Pattern.compile("dev/metal/([a-z]+)/[A-Za-z0-9_$/]+");
    /** Package -> the other metal packages its classes refer to. */
    static Map<String, Set<String>> uses;
    /** Packages whose classes refer to JDBC or a database driver. */
    static Set<String> sql;
    private static final Pattern SQL = Pattern.compile("java/sql/|javax/sql/|org/sqlite/|org/postgresql/");

    @BeforeAll
    static void read() throws Exception {
        Path classes = Path.of(ArchitectureTest.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolveSibling("classes").resolve("dev/metal");
        uses = new TreeMap<>();
        sql = new TreeSet<>();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String pkg = classes.relativize(f).getName(0).toString();
                Set<String> used = uses.computeIfAbsent(pkg, p -> new TreeSet<>());
                for (String type : referencedTypes(f)) {
                    if (SQL.matcher(type).find()) sql.add(pkg);
                    Matcher m = TYPE.matcher(type);
                    while (m.find()) if (!m.group(1).equals(pkg)) used.add(m.group(1));
                }
            }
        }
    }

    @Test
    void capabilitiesProtocolClientsAndTheBootServerDoNotUseTheState() {
        for (String pkg : List.of("bmc", "redfish", "ipmi", "boot", "render", "profile")) {
            assertTrue(uses.containsKey(pkg), "no classes in " + pkg);
            assertTrue(!uses.get(pkg).contains("state"), pkg + " uses the state: " + uses.get(pkg));
        }
    }

    @Test
    void onlyTheStateKnowsSql() {
        assertEquals(Set.of("state"), sql, "packages that use JDBC or a database driver");
    }

    @Test
    void theCommandLineReachesBmcsOnlyThroughTheCapabilities() {
        Set<String> cli = uses.get("cli");
        assertTrue(!cli.contains("redfish") && !cli.contains("ipmi"), "cli uses a protocol client: " + cli);
    }

    @Test
    void theModelAndTheUtilitiesStandOnNothingAbove() {
        assertEquals(Set.of(), uses.get("model"), "model uses other packages");
        assertEquals(Set.of("model"), uses.get("util"), "util uses more than model");
        for (String client : List.of("redfish", "ipmi")) {
            assertTrue(Set.of("model", "util").containsAll(uses.get(client)), client + " uses " + uses.get(client));
        }
    }

    @Test
    void noPackagesDependOnEachOtherInACycle() {
        List<List<String>> cycles = cycles(uses);
        assertTrue(cycles.isEmpty(), "package cycles: " + cycles + "\npackages and what they use: " + uses);
    }

    @Test
    void theCycleSearchFindsEachCycleOnce() {
        Map<String, Set<String>> graph = Map.of("a", Set.of("b"), "b", Set.of("c", "d"), "c", Set.of("a"),
                "d", Set.of("e"), "e", Set.of("d"), "f", Set.of("a"));
        assertEquals(List.of(List.of("a", "b", "c", "a"), List.of("d", "e", "d")), cycles(graph));
    }

    /** Every cycle of the graph, each once, from its smallest package. */
    static List<List<String>> cycles(Map<String, Set<String>> graph) {
        List<List<String>> cycles = new ArrayList<>();
        for (String start : new TreeSet<>(graph.keySet())) findCycle(graph, start, new ArrayList<>(List.of(start)), cycles);
        return cycles;
    }

    /** Depth-first from the last package on the path; a path back to its start is a cycle. */
    private static void findCycle(Map<String, Set<String>> graph, String start, List<String> path,
                                  List<List<String>> cycles) {
        String at = path.get(path.size() - 1);
        for (String next : new TreeSet<>(graph.getOrDefault(at, Set.of()))) {
            if (next.equals(start)) {
                List<String> cycle = new ArrayList<>(path);
                cycle.add(start);
                cycles.add(cycle);
            } else if (!path.contains(next) && next.compareTo(start) > 0) {
                // Only packages after the start: each cycle is found once, from its smallest package.
                path.add(next);
                findCycle(graph, start, path, cycles);
                path.remove(path.size() - 1);
            }
        }
    }

    /**
     * The UTF-8 entries of a class file's constant pool (JVMS 4.4): they hold the names of the
     * classes it refers to and the descriptors and generic signatures of its fields and methods.
     */
    static List<String> referencedTypes(Path classFile) throws IOException {
        List<String> out = new ArrayList<>();
        try (InputStream in = Files.newInputStream(classFile); DataInputStream data = new DataInputStream(in)) {
            if (data.readInt() != 0xCAFEBABE) throw new IOException(classFile + " is not a class file");
            data.readUnsignedShort();
            data.readUnsignedShort();
            int count = data.readUnsignedShort();
            for (int i = 1; i < count; i++) {
                int tag = data.readUnsignedByte();
                switch (tag) {
                    case 1 -> out.add(data.readUTF());
                    case 3, 4 -> data.readInt();
                    case 5, 6 -> {
                        data.readLong();
                        i++; // takes two entries
                    }
                    case 7, 8, 16, 19, 20 -> data.readUnsignedShort();
                    case 9, 10, 11, 12, 17, 18 -> data.readInt();
                    case 15 -> {
                        data.readUnsignedByte();
                        data.readUnsignedShort();
                    }
                    default -> throw new IOException(classFile + ": unknown constant pool tag " + tag);
                }
            }
        }
        return out;
    }
}

package dev.metal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.metal.lab.Lab;
import dev.metal.util.Json;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The JSON contract, written down in docs/schemas (one JSON Schema per command), holds
 * for what the commands really print: every command runs against a lab of emulated
 * servers and the state it leaves, and its --json output is validated against its schema
 * by a JSON Schema 2020-12 validator. A command without a schema, or not run here, fails
 * the test.
 */
public class JsonSchemaTest {
    static final Path SCHEMAS = DocsTest.BASE.resolve("docs/schemas");

    /** Each leaf command and the schema its --json output follows. */
    static final Map<String, String> SCHEMA_OF = new TreeMap<>(Map.ofEntries(
            Map.entry("import", "import"), Map.entry("discover", "discover"), Map.entry("scrape", "scrape"),
            Map.entry("inventory show", "inventory-show"), Map.entry("inventory diff", "inventory-diff"),
            Map.entry("match", "match"), Map.entry("profile list", "profile-list"),
            Map.entry("profile show", "profile-show"), Map.entry("profile check", "profile-check"),
            Map.entry("profile suggest", "profile-suggest"), Map.entry("site set", "site-set"),
            Map.entry("site show", "site-show"), Map.entry("render", "render"),
            Map.entry("template list", "template-list"), Map.entry("template export", "template-export"),
            Map.entry("power status", "power"), Map.entry("power on", "power"), Map.entry("power off", "power"),
            Map.entry("power soft", "power"), Map.entry("power cycle", "power"), Map.entry("power reset", "power"),
            Map.entry("boot pxe", "power"), Map.entry("boot disk", "power"), Map.entry("boot bios", "power"),
            Map.entry("boot cdrom", "power"), Map.entry("serve", "serve"), Map.entry("provision", "provision"),
            Map.entry("pool status", "pool-status"), Map.entry("pool target", "pool-target"),
            Map.entry("pool forecast", "pool-forecast"), Map.entry("pool warm", "pool-warm"),
            Map.entry("host list", "host-list"), Map.entry("host show", "host-show"),
            Map.entry("host remove", "host-remove"), Map.entry("host history", "host-history"),
            Map.entry("host quarantine", "host-quarantine"), Map.entry("host release", "host-quarantine"),
            Map.entry("ansible inventory", "ansible-inventory"), Map.entry("demo", "demo"),
            Map.entry("agent build", "agent-build"), Map.entry("onboard", "onboard"),
            Map.entry("state export", "state-export"), Map.entry("state import", "state-import"),
            Map.entry("lab up", "lab-up"), Map.entry("lab down", "lab-down"), Map.entry("completion", "completion")));

    static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    @TempDir
    Path dir;

    private Path state;
    private final Set<String> checked = new TreeSet<>();
    private final List<String> failures = new ArrayList<>();

    @Test
    void everyCommandHasASchema() {
        Set<String> leaves = new TreeSet<>();
        collectLeaves(Cli.create(Context.system()), leaves);
        Set<String> missing = new TreeSet<>(leaves);
        missing.removeAll(SCHEMA_OF.keySet());
        assertTrue(missing.isEmpty(), "commands without a JSON Schema: " + missing);
        for (String schema : new TreeSet<>(SCHEMA_OF.values())) {
            assertTrue(Files.isRegularFile(SCHEMAS.resolve(schema + ".schema.json")), schema);
        }
    }

    @Test
    void theSchemasRefuseTheOldSpellings() throws Exception {
        // host list before the contract: a bare array, snake_case.
        JsonNode old = Json.mapper().readTree("[{\"hostname\": \"a\", \"bmc_mac\": \"02:00:00:00:00:01\"}]");
        assertTrue(!schema("host-list").validate(old).isEmpty());
        JsonNode host = Json.mapper().readTree("{\"hosts\": [{\"host\": \"a\", \"action\": \"status\"}]}");
        assertTrue(!schema("power").validate(host).isEmpty(), "power names the host hostname");
    }

    @Test
    void everyCommandsOutputFollowsItsSchema() throws Exception {
        int bootPort = freePort();
        Path labDir = dir.resolve("lab");
        Lab.Options options = new Lab.Options(4, 2, 0, List.of(Lab.Fault.parse("2:install-fails")), labDir, false,
                URI.create("http://127.0.0.1:" + bootPort), freePort(), Lab.DEFAULT_IPMI_PORT, Duration.ofMillis(200));
        state = dir.resolve("state.json");
        String profiles = labDir.resolve("profiles").toString();
        try (Lab lab = Lab.start(options)) {
            lab.awaitReady(Duration.ofSeconds(30));
            String csv = labDir.resolve("rack.csv").toString();
            check("import", "import", "--dry-run", csv);
            check("import", "import", csv);
            check("discover", "discover", "--leases", labDir.resolve("dnsmasq.leases").toString(), "--port",
                    Integer.toString(lab.bmcPort()));
            check("scrape", "scrape", "--all");
            check("scrape", "scrape", "lab-r1-n01");
            check("inventory show", "inventory", "show", "lab-r1-n01");
            check("inventory diff", "inventory", "diff", "lab-r1-n01");
            check("match", "match", "--all", "--profiles", profiles);
            check("profile list", "profile", "list", "--profiles", profiles);
            check("profile show", "profile", "show", "lab-1u-compute", "--profiles", profiles);
            check("profile check", "profile", "check", labDir.resolve("profiles/lab-1u-compute.yaml").toString());
            check("profile suggest", "profile", "suggest", "lab-r1-n01");
            check("site set", "site", "set", labDir.resolve("site.yaml").toString());
            check("site show", "site", "show");
            check("onboard", "onboard", csv, "--leases", labDir.resolve("dnsmasq.leases").toString(), "--port",
                    Integer.toString(lab.bmcPort()), "--profiles", profiles, "--site",
                    labDir.resolve("site.yaml").toString(), "--out", dir.resolve("dhcp").toString());
            check("render", "render", "preseed", "lab-r1-n01");
            check("render", "render", "networkd", "--all", "--out", dir.resolve("rendered").toString());
            check("template list", "template", "list");
            check("template export", "template", "export", dir.resolve("templates").toString());
            check("power status", "power", "status", "--all");
            for (String action : new String[] {"on", "off", "soft", "cycle", "reset"}) {
                check("power " + action, "power", action, "lab-r2-n01");
            }
            for (String device : new String[] {"pxe", "disk", "bios", "cdrom"}) {
                check("boot " + device, "boot", device, "lab-r2-n01");
            }
            check("provision", "provision", "--profile", "lab-1u-compute", "--dry-run", "--os", "debian-12",
                    "--no-ssh-keys", "--files", labDir.resolve("files").toString(), "--listen", "127.0.0.1:" + bootPort);
            check("provision", "provision", "lab-r2-n02", "--os", "debian-12", "--listen", "127.0.0.1:" + bootPort,
                    "--files", labDir.resolve("files").toString(), "--timeout", "20s", "--no-ssh-keys");
            check("pool target", "pool", "target", "lab-2u-storage", "1");
            check("pool status", "pool", "status");
            check("pool forecast", "pool", "forecast");
            check("pool warm", "pool", "warm");
            check("serve", "serve", "--listen", "127.0.0.1:" + freePort(), "--files", labDir.resolve("files").toString(),
                    "--for", "200ms");
        }
        check("host list", "host", "list");
        check("host list", "host", "list", "--in", "active");
        check("host show", "host", "show", "lab-r2-n02");
        check("host show", "host", "show", "lab-r1-n01");
        check("host history", "host", "history", "lab-r2-n02");
        check("host quarantine", "host", "quarantine", "lab-r1-n01", "--reason", "fan noise");
        check("host release", "host", "release", "lab-r1-n01", "--reason", "fan replaced");
        check("host remove", "host", "remove", "lab-r1-n01");
        check("ansible inventory", "ansible", "inventory", "--list");
        check("completion", "completion", "bash");
        Path export = dir.resolve("export.json");
        check("state export", "state", "export", "-o", export.toString());
        Path exported = state;
        state = dir.resolve("imported.json");
        check("state import", "state", "import", export.toString());
        state = exported;
        Path otherLab = dir.resolve("lab2");
        check("lab up", "lab", "up", "--hosts", "1", "--dir", otherLab.toString(), "--bmc-port",
                Integer.toString(freePort()), "--boot-server", "http://127.0.0.1:" + freePort(), "--for", "200ms");
        check("demo", "demo", "--dir", dir.resolve("demo").toString(), "--hosts", "4");
        // No lab runs there any more: lab down fails, with the error object on stdout.
        checkError("lab down", 2, "lab", "down", "--dir", otherLab.toString());
        checkError("host show", 2, "host", "show", "lab-r2-n2");
        checkError("provision", 2, "provison", "lab-r2-n02");
        CliRun version = CliRun.metal(Map.of(), "--version", "--json");
        validate("version", "--version --json", version.out);

        assertTrue(failures.isEmpty(), String.join("\n\n", failures));
        Set<String> notRun = new TreeSet<>(SCHEMA_OF.keySet());
        notRun.removeAll(checked);
        notRun.remove("lab down"); // only its error above: stopping a lab is LabTest's
        notRun.remove("agent build"); // AgentBuildTest checks it: it needs the downloaded kernel
        assertTrue(notRun.isEmpty(), "commands not checked against their schema: " + notRun);
    }

    /** Runs a command with --json; each JSON object it prints must follow its schema. */
    private void check(String command, String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--json");
        CliRun run = CliRun.metal(state, all.toArray(String[]::new));
        if (run.exitCode != 0 && run.exitCode != 3) {
            failures.add(command + ": exit " + run.exitCode + "\n" + run);
            return;
        }
        checked.add(command);
        validate(SCHEMA_OF.get(command), String.join(" ", args), run.out);
    }

    private void checkError(String command, int exitCode, String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of(args));
        all.add(0, "--json");
        CliRun run = CliRun.metal(state, all.toArray(String[]::new));
        assertEquals(exitCode, run.exitCode, run.toString());
        validate("error", String.join(" ", args), run.out);
        assertEquals(exitCode, Json.mapper().readTree(run.out).at("/error/exitCode").asInt(), run.out);
    }

    private void validate(String schemaName, String what, String out) throws IOException {
        Schema schema = schema(schemaName);
        int objects = 0;
        try (MappingIterator<JsonNode> it = Json.mapper().readerFor(JsonNode.class)
                .with(JsonParser.Feature.AUTO_CLOSE_SOURCE).readValues(out)) {
            while (it.hasNext()) {
                JsonNode node = it.next();
                objects++;
                List<Error> errors = schema.validate(node);
                if (!errors.isEmpty()) {
                    failures.add("metal " + what + " --json does not follow " + schemaName + ".schema.json: "
                            + errors.stream().map(Error::toString).toList() + "\n" + out);
                }
            }
        }
        if (objects == 0) failures.add("metal " + what + " --json printed no JSON");
    }

    /**
     * A command's schema with the shared definitions it refers to (common.schema.json#/$defs/X)
     * copied in, so that the validator reads nothing but these two files.
     */
    static Schema schema(String name) throws IOException {
        ObjectNode node = (ObjectNode) Json.mapper().readTree(local(name));
        ObjectNode defs = node.has("$defs") ? (ObjectNode) node.get("$defs") : node.putObject("$defs");
        JsonNode common = Json.mapper().readTree(local("common")).get("$defs");
        common.fields().forEachRemaining(e -> defs.set(e.getKey(), e.getValue()));
        return REGISTRY.getSchema(SchemaLocation.of("urn:metal:schema:" + name), node);
    }

    /** What is wrong with {@code json} for the schema {@code name} (for the tests of other packages). */
    public static List<String> problems(String name, String json) throws IOException {
        return schema(name).validate(Json.mapper().readTree(json)).stream().map(Error::toString).toList();
    }

    private static String local(String name) throws IOException {
        return Files.readString(SCHEMAS.resolve(name + ".schema.json")).replace("\"common.schema.json#/$defs/", "\"#/$defs/");
    }

    private static void collectLeaves(CommandLine cmd, Set<String> out) {
        if (cmd.getSubcommands().isEmpty()) {
            String name = cmd.getCommandSpec().qualifiedName(" ");
            out.add(name.substring("metal ".length()));
        }
        for (CommandLine sub : cmd.getSubcommands().values()) collectLeaves(sub, out);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

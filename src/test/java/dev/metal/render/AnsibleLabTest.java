package dev.metal.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.metal.cli.CliRun;
import dev.metal.cli.Main;
import dev.metal.lab.Lab;
import dev.metal.model.Host;
import dev.metal.model.HostState;
import dev.metal.util.Json;
import dev.metal.model.Provisioning;
import dev.metal.model.Secret;
import dev.metal.state.Store;
import dev.metal.testing.TestState;
import dev.metal.testing.Tools;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's ansible-core reads a lab fleet through samples/ansible/metal-inventory, after the
 * real import, discover, scrape, match and site set: every host with its groups, and the
 * by-id seed template rendered to the boot disk path metal resolved.
 */
class AnsibleLabTest {
    static final Path BASE = Path.of(System.getProperty("metal.basedir", ".")).toAbsolutePath();
    static final Path WRAPPER = BASE.resolve("samples/ansible/metal-inventory");
    static final Path PLAYBOOK = BASE.resolve("samples/ansible/boot-disk.yml");
    static final String SEED = "/dev/disk/by-id/nvme-{{ drive_bays.%1$s.device_model }}_{{ drive_bays.%1$s.serial_number }}";

    @TempDir
    Path tmp;

    private Path state;

    @Test
    void ansibleListsTheLabAndRendersTheBootDiskPathMetalResolved() throws Exception {
        Path ansibleInventory = Tools.require("ansible-inventory", "ansible-core");
        Path ansible = Tools.require("ansible", "ansible-core");
        Path ansiblePlaybook = Tools.require("ansible-playbook", "ansible-core");
        state = tmp.resolve("state.json");
        Path dir = tmp.resolve("lab");
        String password;
        // Four servers over two racks, server 3 short of a DIMM: it fails its match.
        Lab.Options options = new Lab.Options(4, 2, 0, List.of(Lab.Fault.parse("3:missing-dimm")), dir, false,
                URI.create("http://127.0.0.1:9"), freePort(), Lab.DEFAULT_IPMI_PORT, Duration.ofMillis(100));
        try (Lab lab = Lab.start(options)) {
            lab.awaitReady(Duration.ofSeconds(60));
            password = Files.readString(dir.resolve("bmc-password")).strip();
            metal(0, "import", lab.rackCsv().toString());
            metal(0, "discover", "--leases", lab.leases().toString(), "--port", Integer.toString(options.bmcPort()));
            metal(0, "scrape", "--all");
        }
        metal(3, "match", "--all", "--profiles", dir.resolve("profiles").toString());
        metal(0, "site", "set", dir.resolve("site.yaml").toString());
        Map<String, Host> hosts = TestState.hosts(state);
        assertEquals(4, hosts.size());
        assertEquals(HostState.FAILED, hosts.get("lab-r2-n01").state(), "server 3 misses a DIMM");

        // Every host, in the groups of its rack, profile, state and tags, with no warning from Ansible.
        Run list = run(ansibleInventory.toString(), "-i", WRAPPER.toString(), "--list");
        JsonNode inv = Json.mapper().readTree(list.out);
        assertEquals(hosts.keySet(), fieldNames(inv.path("_meta").path("hostvars")), list.out);
        for (Host h : hosts.values()) {
            Set<String> groups = new TreeSet<>();
            inv.fields().forEachRemaining(g -> {
                for (JsonNode member : g.getValue().path("hosts")) if (member.asText().equals(h.hostname())) groups.add(g.getKey());
            });
            Set<String> expected = new TreeSet<>(Set.of(AnsibleInventory.groupName("rack", h.rack()),
                    "state_" + h.state().label(), "tag_lab", AnsibleInventory.groupName("tag", h.tags().get(1))));
            if (h.profile() != null) expected.add(AnsibleInventory.groupName("profile", h.profile()));
            assertEquals(expected, groups, h.hostname());
        }
        assertEquals(Set.of("lab-r1-n01", "lab-r1-n02", "lab-r2-n02"), members(inv, "state_ready"));
        assertEquals(Set.of("lab-r1-n02", "lab-r2-n02"), members(inv, "profile_lab_1u_compute"));
        assertEquals(Set.of("racks", "profiles", "states", "tags", "ungrouped"), new TreeSet<>(strings(inv.path("all").path("children"))));

        // The seed template, by the lab profiles' name for the boot drive, gives the path metal resolved.
        Run debug = run(ansible.toString(), "-i", WRAPPER.toString(), "profiles", "-c", "local", "-m", "debug",
                "-a", "msg=" + String.format(SEED, "nvme0"));
        Map<String, String> rendered = messages(debug.out);
        assertEquals(bootDisks(), rendered, debug.out);
        assertEquals(3, rendered.size());

        // Profiles that name no drives give DiskBay0, DiskBay1, ...: the sample playbook's template, as written.
        Path unnamed = Files.createDirectories(tmp.resolve("profiles-unnamed"));
        for (String p : List.of("lab-1u-compute.yaml", "lab-2u-storage.yaml")) {
            String text = Files.readString(dir.resolve("profiles").resolve(p));
            String stripped = text.replaceAll("(?m)^    name: \\S+\n", "");
            assertTrue(stripped.length() < text.length(), p);
            Files.writeString(unnamed.resolve(p), stripped);
        }
        metal(3, "match", "--all", "--profiles", unnamed.toString());
        Run playbook = run(ansiblePlaybook.toString(), "-i", WRAPPER.toString(), PLAYBOOK.toString());
        assertEquals(bootDisks(), messages(playbook.out), playbook.out);

        // No BMC password and no boot token, in what metal gives Ansible or what Ansible makes of it.
        String token = Secret.randomToken().reference();
        try (Store store = TestState.open(state)) {
            store.update(tx -> {
                Host h = tx.host("lab-r1-n02");
                tx.put(h.withProvisioning(new Provisioning("req-1", "debian-12", Secret.of(token), Instant.now(), null,
                        1, null)), "test-token");
                return null;
            });
        }
        for (Run r : List.of(run(WRAPPER.toString(), "--list"), run(WRAPPER.toString(), "--host", "lab-r1-n02"),
                run(ansibleInventory.toString(), "-i", WRAPPER.toString(), "--list"))) {
            assertTrue(r.out.contains("DiskBay0"), r.out);
            for (String secret : List.of(password, token)) {
                assertFalse(r.out.contains(secret) || r.err.contains(secret), "a secret got out:\n" + r.out + r.err);
            }
        }

        // An unknown host is metal's usual bad-input error.
        Run unknown = start(List.of(WRAPPER.toString(), "--host", "lab-r9-n99"));
        assertEquals(2, unknown.exit, unknown.toString());
        assertEquals("", unknown.out);
        assertEquals("metal: unknown host lab-r9-n99\n", unknown.err);
    }

    /** What metal resolved for each matched host's boot disk, as a full /dev/disk/by-id path. */
    private Map<String, String> bootDisks() {
        Map<String, String> disks = new TreeMap<>();
        for (Host h : TestState.hosts(state).values()) {
            if (h.profile() == null) continue;
            String boot = h.match().bootDisk();
            assertNotNull(boot, h.hostname());
            disks.put(h.hostname(), boot.startsWith("/") ? boot : AnsibleInventory.BY_ID + boot);
        }
        return disks;
    }

    private void metal(int exit, String... args) {
        CliRun run = CliRun.metal(state, args);
        assertEquals(exit, run.exitCode, String.join(" ", args) + "\n" + run);
    }

    record Run(int exit, String out, String err) {}

    /** Runs an Ansible program (or the wrapper) that must succeed without a warning. */
    private Run run(String... command) throws Exception {
        Run r = start(List.of(command));
        assertEquals(0, r.exit, String.join(" ", command) + "\n" + r);
        assertFalse(r.err.contains("WARNING") || r.out.contains("WARNING"), r.toString());
        return r;
    }

    /**
     * Runs with metal as a process of its own ($METAL: this JVM's classes), the test's state
     * file, and Ansible writing nowhere but the test's folder. An inventory Ansible cannot
     * parse fails the run instead of leaving a warning and an empty inventory.
     */
    private Run start(List<String> command) throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path metal = tmp.resolve("metal");
        if (!Files.exists(metal)) {
            Files.writeString(metal, "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java")
                    + "' -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp '" + System.getProperty("java.class.path") + "' "
                    + Main.class.getName() + " \"$@\"\n");
            assertTrue(metal.toFile().setExecutable(true));
            Files.writeString(tmp.resolve("ansible.cfg"), "");
        }
        ProcessBuilder pb = new ProcessBuilder(command).directory(tmp.toFile());
        Map<String, String> env = pb.environment();
        env.put("METAL", metal.toString());
        env.put("METAL_STATE", state.toString());
        env.put("HOME", home.toString());
        env.put("ANSIBLE_LOCAL_TEMP", Files.createDirectories(tmp.resolve("ansible-tmp")).toString());
        env.put("ANSIBLE_CONFIG", tmp.resolve("ansible.cfg").toString());
        env.put("ANSIBLE_INVENTORY_UNPARSED_FAILED", "true");
        env.put("ANSIBLE_NOCOLOR", "1");
        env.put("ANSIBLE_LOAD_CALLBACK_PLUGINS", "true");
        env.put("ANSIBLE_STDOUT_CALLBACK", "minimal");
        Path out = tmp.resolve("out.log");
        Path err = tmp.resolve("err.log");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(command + " did not finish in 180 s");
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    private static final Pattern RESULT = Pattern.compile("(?ms)^(\\S+) \\| SUCCESS => (\\{.*?^\\})$");

    /** The debug message of each host, from Ansible's minimal output: HOST | SUCCESS => {JSON}. */
    private static Map<String, String> messages(String output) throws IOException {
        Map<String, String> out = new TreeMap<>();
        java.util.regex.Matcher m = RESULT.matcher(output);
        while (m.find()) out.put(m.group(1), Json.mapper().readTree(m.group(2)).path("msg").asText());
        return out;
    }

    private static Set<String> members(JsonNode inv, String group) {
        return new TreeSet<>(strings(inv.path(group).path("hosts")));
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

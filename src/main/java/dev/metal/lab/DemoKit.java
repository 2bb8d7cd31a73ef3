package dev.metal.lab;

import dev.metal.model.BadInputException;
import dev.metal.model.SystemicException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * What 'metal demo' (and a test that provisions the lab) needs beside the lab: a folder
 * of its own, the site plan and profiles the jar carries, and stand-ins for the kernel
 * and initrd that the boot server hands the lab machines.
 */
public final class DemoKit {
    private static final String MARKER = ".metal-demo";
    private static final String RESOURCES = "/dev/metal/lab/demo/";

    private DemoKit() {}

    /** Starts the demo folder afresh; refuses a folder that holds anything but an earlier demo. */
    public static void prepare(Path home) throws IOException {
        if (Files.isDirectory(home)) {
            boolean empty;
            try (Stream<Path> s = Files.list(home)) {
                empty = s.findAny().isEmpty();
            }
            if (!empty && !Files.exists(home.resolve(MARKER))) {
                throw new BadInputException(home + " is not empty and not an earlier demo's folder; choose another --dir");
            }
            try (Stream<Path> s = Files.walk(home)) {
                for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                    if (!p.equals(home)) Files.delete(p);
                }
            }
        }
        Files.createDirectories(home);
        // Marked from the start, so a demo that failed half-way can be run again in place.
        Files.writeString(home.resolve(MARKER), "metal demo\n");
    }

    /** The site plan (without SSH keys) and profiles the jar carries, and stand-ins for the kernel and initrd. */
    public static void write(Path home, String bootUrl, int racks) throws IOException {
        write(home, bootUrl, racks, null);
    }

    /** The same, with {@code sshKey} (an OpenSSH public key line, or null) as the site plan's SSH key. */
    public static void write(Path home, String bootUrl, int racks, LabSshKey.Pair sshKey) throws IOException {
        String keys = sshKey == null ? "" : "# The lab's own SSH key (" + sshKey.privateKey().toAbsolutePath()
                + "): the provisioned systems let it log in.\nssh_keys:\n  - " + sshKey.publicLine() + "\n";
        String site = resource("site.yaml").replace("http://127.0.0.1:8067", bootUrl)
                .replace("%SSH_KEYS%", keys)
                .replace("%RACKS%\n", rackPlans(racks));
        Files.writeString(home.resolve("site.yaml"), site);
        Files.createDirectories(home.resolve("profiles"));
        // One profile per lab server model, named after it.
        for (ServerModel m : ServerModel.ALL) {
            String file = m.name() + ".yaml";
            Files.writeString(home.resolve("profiles").resolve(file), resource("profiles/" + file));
        }
        Path files = Files.createDirectories(home.resolve("files").resolve("debian-12"));
        Files.writeString(files.resolve("linux"), "metal demo: stands in for the Debian 12 installer kernel\n");
        Files.writeString(files.resolve("initrd.gz"), "metal demo: stands in for the Debian 12 installer initrd\n");
    }

    /**
     * The networks of lab racks lab-r1..lab-rN: private ranges, one /24 (and one IPv6 /64)
     * per rack and role. The lab never sends traffic to them; they go into rendered files.
     */
    static String rackPlans(int racks) {
        StringBuilder b = new StringBuilder();
        for (int r = 1; r <= racks; r++) {
            b.append("  - name: lab-r").append(r).append('\n');
            b.append("    tor: lab-r").append(r).append("-tor\n");
            b.append(String.format("    public: {ipv4: 10.100.%d.0/24, gateway4: 10.100.%d.1, ipv6: \"fd00:100:%x::/64\", "
                    + "gateway6: \"fd00:100:%x::1\"}%n", r, r, r, r));
            b.append(String.format("    mgmt: {ipv4: 10.101.%d.0/24, gateway4: 10.101.%d.1}%n", r, r));
            b.append(String.format("    bmc: {ipv4: 10.102.%d.0/24, gateway4: 10.102.%d.1}%n", r, r));
        }
        return b.toString();
    }

    private static String resource(String name) {
        try (InputStream in = DemoKit.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) throw new SystemicException("the demo's " + name + " is missing from the jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package dev.metal.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metal.cli.CliRun;
import dev.metal.model.Host;
import dev.metal.model.ProfileMatch;
import dev.metal.model.Site;
import dev.metal.state.Store;
import dev.metal.testing.TestState;
import dev.metal.testing.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every rendered file, for every kind of site plan that 'site set' accepts
 * ({@link SiteVariants}), is read by the program that consumes it, from Debian's packages.
 * Each variant goes the way a user's data does: import, a profile match, 'site set', then
 * 'render KIND --all'. Each program runs once per file (two at a time), or once for all
 * files where it can read many. The last test shows that each check rejects a broken
 * file, so a pass means something.
 */
class RenderToolsTest {
    @TempDir
    static Path dir;
    static final List<Rendered> ALL = new ArrayList<>();

    /** A variant after rendering: its files, and its plan and hosts as the state holds them. */
    record Rendered(SiteVariants.Variant variant, Path out, Site site, List<Host> hosts) {
        Path file(String kind, Host h, String name) {
            return out.resolve(kind).resolve(h.hostname()).resolve(name);
        }

        String name() {
            return variant.name();
        }
    }

    @BeforeAll
    static void renderEveryVariant() throws IOException {
        for (SiteVariants.Variant v : SiteVariants.all(dir)) ALL.add(render(v));
    }

    static Rendered render(SiteVariants.Variant v) throws IOException {
        Path base = Files.createDirectories(dir.resolve(v.name()));
        Path state = base.resolve("state.json");
        Path site = base.resolve("site.yaml");
        Files.writeString(site, v.yaml());
        // The rack CSV a tech would write: import must take these names (the long ones are its longest).
        StringBuilder csv = new StringBuilder("hostname,rack,u,bmc_mac,bmc_user,bmc_password,mgmt_mac\n");
        for (Host h : v.hosts()) {
            csv.append(String.join(",", h.hostname(), h.rack(), Integer.toString(h.u()), h.bmc().mac(), "admin",
                    "env:BMC_PASSWORD", h.mgmtMac())).append('\n');
        }
        Files.writeString(base.resolve("rack.csv"), csv);
        ok(CliRun.metal(state, "import", base.resolve("rack.csv").toString()), v);
        // The profile match, as 'metal match' stores it.
        RenderFixture.seed(state, v.hosts().toArray(Host[]::new));
        ok(CliRun.metal(state, "site", "set", site.toString()), v);
        Path out = base.resolve("out");
        for (Renderer.Kind k : Renderer.Kind.values()) {
            // The plans here install with an installer; the deploy description of an image OS is run by DeployRenderTest.
            if (k == Renderer.Kind.DEPLOY) continue;
            ok(CliRun.metal(state, "render", k.label, "--all", "--out", out.resolve(k.label).toString()), v);
        }
        try (Store s = TestState.open(state)) {
            List<Host> hosts = v.hosts().stream().map(h -> s.host(h.hostname())).toList();
            return new Rendered(v, out, s.site(), hosts);
        }
    }

    static void ok(CliRun run, SiteVariants.Variant v) {
        assertEquals(0, run.exitCode, v.name() + ":\n" + run);
        assertFalse(run.out.contains("failed") || run.out.contains("not placed"), v.name() + ":\n" + run);
    }

    static Rendered variant(String name) {
        return ALL.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    /** Runs a checker per file, two at a time; every file must be accepted. */
    static void allAccepted(List<Path> files, String... command) {
        List<List<String>> commands = new ArrayList<>();
        for (Path f : files) {
            List<String> c = new ArrayList<>();
            for (String part : command) c.add(part.replace("%s", f.toString()));
            commands.add(c);
        }
        List<Tools.Run> runs = Tools.runAll(commands);
        List<String> rejected = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            if (runs.get(i).exit() != 0) rejected.add(files.get(i) + ":\n" + runs.get(i).output());
        }
        assertTrue(rejected.isEmpty(), rejected.size() + " of " + files.size() + " rejected:\n" + String.join("\n", rejected));
    }

    @Test
    void theVariantsHoldEveryPairOfValues() {
        // Every value of one dimension meets every value of each other one, except MIXED IPv6 with one rack,
        // which cannot be (mixed needs a rack with IPv6 and one without).
        Object[][] values = {SiteVariants.Ipv6.values(), SiteVariants.Dns.values(), {true, false}, {1, 2, 8}, {true, false}};
        Set<List<Object>> seen = new HashSet<>();
        for (Object[] row : SiteVariants.PAIRS) {
            for (int a = 0; a < row.length; a++) {
                for (int b = a + 1; b < row.length; b++) seen.add(List.of(a, row[a], b, row[b]));
            }
        }
        List<List<Object>> missing = new ArrayList<>();
        for (int a = 0; a < values.length; a++) {
            for (int b = a + 1; b < values.length; b++) {
                for (Object va : values[a]) {
                    for (Object vb : values[b]) {
                        if (va == SiteVariants.Ipv6.MIXED && Integer.valueOf(1).equals(vb)) continue;
                        if (!seen.contains(List.of(a, va, b, vb))) missing.add(List.of(a, va, b, vb));
                    }
                }
            }
        }
        assertEquals(List.of(), missing);
        assertEquals(2 + SiteVariants.PAIRS.length, ALL.size());
    }

    @Test
    void preseedPassesDebconf() throws IOException {
        List<Path> files = new ArrayList<>();
        for (Rendered r : ALL) {
            for (Host h : r.hosts()) {
                Path f = r.file("preseed", h, "preseed.cfg");
                files.add(f);
                String text = Files.readString(f);
                assertTrue(text.contains("d-i partman-auto/disk string /dev/disk/by-id/nvme-"), f.toString());
                // Without keys the installer must not run commands on an authorized_keys file that is never written.
                if (r.variant().sshKeys()) assertTrue(text.contains(" echo '" + SiteVariants.KEY + "' >> /target/home/metal/.ssh/authorized_keys"), f.toString());
                else assertFalse(text.contains("authorized_keys"), f + ":\n" + text);
            }
        }
        assertEquals(38, files.size(), "every host: 3 each of sample and lab, 2 or 3 of each pairwise variant");
        Tools.Run run = Tools.debconf(files);
        assertEquals(0, run.exit(), "debconf-set-selections -c rejected:\n" + run.output());
    }

    @Test
    void cloudInitReadsEveryFileAsRendered() {
        List<Path> userData = new ArrayList<>();
        List<Path> networkConfig = new ArrayList<>();
        List<Path> metaData = new ArrayList<>();
        for (Rendered r : ALL) {
            for (Host h : r.hosts()) {
                userData.add(r.file("cloud-init", h, "user-data"));
                networkConfig.add(r.file("cloud-init", h, "network-config"));
                metaData.add(r.file("cloud-init", h, "meta-data"));
            }
        }
        Map<Path, Tools.CloudInitResult> results = Tools.cloudInit(userData, networkConfig, metaData);
        List<String> problems = new ArrayList<>();
        for (Rendered r : ALL) {
            for (Host h : r.hosts()) {
                Path u = r.file("cloud-init", h, "user-data");
                expect(problems, u, results.get(u), "Valid cloud-config: " + u + "\n");
                Path n = r.file("cloud-init", h, "network-config");
                expect(problems, n, results.get(n), networkConfigAsRead(r, h));
                Path m = r.file("cloud-init", h, "meta-data");
                expect(problems, m, results.get(m), "instance-id " + h.hostname() + "\nlocal-hostname " + h.hostname() + "\n");
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    private static void expect(List<String> problems, Path file, Tools.CloudInitResult result, String expected) {
        if (result == null) problems.add(file + ": cloud-init gave no answer");
        else if (!result.ok()) problems.add(file + " rejected:\n" + result.output());
        else if (!result.output().equals(expected)) problems.add(file + ": cloud-init read\n" + result.output() + "instead of\n" + expected);
    }

    /** What cloud-init's parser must find: each NIC by name and MAC with the host's addresses, and the plan's DNS. */
    private static String networkConfigAsRead(Rendered r, Host h) {
        Map<String, String> a = h.addresses();
        StringBuilder b = new StringBuilder();
        for (ProfileMatch.NamedNic n : new TreeMap<>(h.match().nics()).values()) {
            String addresses = switch (n.name()) {
                case "ext0" -> a.get("public.ipv4") + (a.containsKey("public.ipv6") ? " " + a.get("public.ipv6") : "");
                case "mgmt0" -> a.get("mgmt.ipv4");
                default -> "";
            };
            b.append(n.name()).append(' ').append(n.mac()).append(' ').append(addresses).append('\n');
        }
        return b.append("dns ").append(String.join(" ", r.site().dns())).append('\n').toString();
    }

    @Test
    void dhcpFilesPassDnsmasqDhcpdAndKea() throws IOException {
        String dnsmasq = Tools.require("dnsmasq", "dnsmasq-base").toString();
        String dhcpd = Tools.require("dhcpd", "isc-dhcp-server").toString();
        String kea = Tools.require("kea-dhcp4", "kea-dhcp4-server").toString();
        List<List<String>> commands = new ArrayList<>();
        for (Rendered r : ALL) {
            Path d = r.out().resolve("dhcp");
            assertEquals(2 * r.hosts().size(), Files.readAllLines(d.resolve("dnsmasq.conf")).stream()
                    .filter(l -> l.startsWith("dhcp-host=")).count(), r.name() + ": a BMC and a mgmt reservation per host");
            commands.add(List.of(dnsmasq, "--conf-file=" + d.resolve("dnsmasq.conf"), "--test"));
            commands.add(List.of(dhcpd, "-t", "-cf", d.resolve("dhcpd.conf").toString()));
            commands.add(List.of(kea, "-t", d.resolve("kea-dhcp4.json").toString()));
        }
        List<Tools.Run> runs = Tools.runAll(commands);
        List<String> rejected = new ArrayList<>();
        for (int i = 0; i < commands.size(); i++) {
            if (runs.get(i).exit() != 0) rejected.add(commands.get(i) + ":\n" + runs.get(i).output());
        }
        assertTrue(rejected.isEmpty(), String.join("\n", rejected));
        int sample = ALL.indexOf(variant("sample"));
        assertTrue(runs.get(sample * 3 + 2).output().contains("10.20.2.0/24"), runs.get(sample * 3 + 2).output());
    }

    /**
     * vtysh --dryrun reads every FRR file of a variant in one run, one file after the other
     * (each ends back at the top level); a variant it refuses is read again file by file, to
     * name the file.
     */
    @Test
    void frrFilesPassVtyshDryRun() throws IOException {
        Path vtysh = Tools.require("vtysh", "frr");
        List<List<Path>> perVariant = new ArrayList<>();
        List<List<String>> commands = new ArrayList<>();
        for (Rendered r : ALL) {
            try (Stream<Path> s = Files.walk(r.out().resolve("frr"))) {
                List<Path> mine = s.filter(p -> p.getFileName().toString().equals("frr.conf")).sorted().toList();
                assertEquals(r.hosts().size() + 2 + r.site().racks().size(), mine.size(),
                        r.name() + ": servers, 2 spines and a ToR per rack");
                Path all = dir.resolve(r.name() + "-frr-all.conf");
                StringBuilder b = new StringBuilder();
                for (Path f : mine) b.append(Files.readString(f));
                Files.writeString(all, b);
                perVariant.add(mine);
                commands.add(List.of(vtysh.toString(), "--dryrun", "-f", all.toString()));
            }
        }
        List<Tools.Run> runs = Tools.runAll(commands);
        for (int i = 0; i < runs.size(); i++) {
            if (runs.get(i).exit() != 0) allAccepted(perVariant.get(i), vtysh.toString(), "--dryrun", "-f", "%s");
            assertEquals(0, runs.get(i).exit(), ALL.get(i).name() + ":\n" + runs.get(i).output());
        }
    }

    /** No Debian package reads iPXE scripts offline: this checks that every kernel argument has its value. */
    @Test
    void ipxeKernelLinesHaveAValueForEveryArgument() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Rendered r : ALL) {
            for (Host h : r.hosts()) {
                Path f = r.file("ipxe", h, "boot.ipxe");
                List<String> lines = Files.readAllLines(f);
                String kernel = lines.stream().filter(l -> l.startsWith("kernel ")).findFirst().orElse("");
                if (!lines.get(0).equals("#!ipxe") || !kernel.endsWith(" || goto failed")) {
                    problems.add(f + ": not a metal iPXE script");
                    continue;
                }
                for (String arg : kernel.substring(0, kernel.length() - " || goto failed".length()).split(" ", -1)) {
                    if (arg.isEmpty() || arg.endsWith("=")) problems.add(f + ": kernel argument '" + arg + "' has no value");
                }
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    /**
     * systemd itself reads the networkd files: systemd-networkd runs in a network and mount
     * namespace of the test's own, with veth pairs named like the host's NICs, and configures
     * them; networkctl (over a private D-Bus) and ip show the result. udev's net_setup_link
     * builtin applies each .link file to an interface carrying the NIC's MAC. One namespace
     * serves every variant: networkd starts afresh for each host checked.
     */
    @Test
    void networkdFilesAreAppliedBySystemdNetworkd() throws IOException {
        for (String[] t : new String[][] {{"systemd-networkd", "systemd"}, {"networkctl", "systemd"},
            {"udevadm", "udev"}, {"dbus-daemon", "dbus-daemon"}, {"ip", "iproute2"}, {"unshare", "util-linux"}}) {
            Tools.require(t[0], t[1]);
        }
        // One host per variant; with IPv6 on some racks, one that has it (those without are like IPv4-only plans).
        List<Rendered> variants = new ArrayList<>();
        List<Host> hosts = new ArrayList<>();
        for (Rendered r : ALL) {
            variants.add(r);
            hosts.add(r.hosts().stream().filter(h -> h.addresses().containsKey("public.ipv6")).findFirst()
                    .orElse(r.hosts().get(0)));
        }
        List<String> script = new ArrayList<>(List.of(
                "set -e",
                "mount -t tmpfs tmpfs /run/systemd",
                "mount -t sysfs -o ro sysfs /sys   # read-only /sys: networkd does not wait for udev",
                "mkdir -p /run/dbus && mount -t tmpfs tmpfs /run/dbus",
                "dbus-daemon --system --fork --nopidfile",
                "ip link set lo up",
                // Duplicate address detection only delays the addresses here: the namespace has no neighbours.
                "sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0",
                "check() {",
                "  files=$1; probe=$2; shift 2",
                "  rm -rf /run/systemd/network /run/systemd/netif",
                "  mkdir -p /run/systemd/network /run/systemd/netif",
                "  chown -R systemd-network:systemd-network /run/systemd/netif",
                "  cp \"$files\"/* /run/systemd/network/",
                "  printf '[Match]\\nName=nothing0\\n[Network]\\nBogusKey=1\\n' > /run/systemd/network/99-probe.network",
                "  chmod 644 /run/systemd/network/*",
                "  echo '== link'",
                "  ip link add probe0 address $probe type veth peer name probe0p",
                "  udevadm test-builtin net_setup_link /sys/class/net/probe0 2>&1 | grep -E '^ID_NET_(NAME|LINK_FILE)=' || true",
                "  ip link del probe0",
                "  for nic in \"$@\"; do n=${nic%%=*}; ip link add $n type veth peer name ${n}p; ip link set ${n}p up; done",
                "  SYSTEMD_LOG_LEVEL=info SYSTEMD_LOG_TARGET=console /lib/systemd/systemd-networkd > networkd.log 2>&1 &",
                "  pid=$!",
                // Until every link networkd manages is configured (or failed), at most 20 s.
                "  /lib/systemd/systemd-networkd-wait-online --timeout=20 || echo 'networkd: not online within 20 s'",
                "  echo '== networkctl'; networkctl list --no-pager",
                "  echo '== addr'; ip -br addr",
                "  echo '== route'; ip route; ip -6 route show default",
                "  kill $pid || true; wait $pid || true",
                "  echo '== log'; grep '^/run/systemd/network/' networkd.log || true",
                "  for nic in \"$@\"; do ip link del ${nic%%=*}; done",
                "}"));
        for (int i = 0; i < hosts.size(); i++) {
            Host h = hosts.get(i);
            // udev applies one .link file per host, a different NIC in turn.
            List<ProfileMatch.NamedNic> nics = List.copyOf(new TreeMap<>(h.match().nics()).values());
            StringBuilder call = new StringBuilder("echo '== case " + i + "'; check '"
                    + variants.get(i).out().resolve("networkd").resolve(h.hostname()) + "' " + nics.get(i % nics.size()).mac());
            for (ProfileMatch.NamedNic n : h.match().nics().values()) call.append(' ').append(n.name()).append('=').append(n.mac());
            script.add(call.toString());
        }
        script.add("echo '== case end'");
        Path file = dir.resolve("networkd-check.sh");
        Files.writeString(file, String.join("\n", script) + "\n");
        Tools.Run run = Tools.run(List.of("unshare", "--net", "--mount", "--", "bash", "-c", "cd " + dir + " && bash " + file),
                Duration.ofSeconds(30L * hosts.size()));
        assertEquals(0, run.exit(), "networkd check:\n" + run.output());
        String[] cases = run.output().split("== case ");
        assertEquals(hosts.size() + 2, cases.length, run.output());
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < hosts.size(); i++) {
            String o = cases[i + 1];
            List<String> mine = new ArrayList<>();
            networkdApplied(mine, variants.get(i), hosts.get(i), i, o);
            if (!mine.isEmpty()) {
                problems.addAll(mine);
                problems.add("  output:\n" + o);
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    private static void networkdApplied(List<String> problems, Rendered r, Host h, int index, String o) {
        String what = r.name() + " " + h.hostname() + ": ";
        List<ProfileMatch.NamedNic> nics = List.copyOf(new TreeMap<>(h.match().nics()).values());
        ProfileMatch.NamedNic probed = nics.get(index % nics.size());
        if (!o.contains("ID_NET_NAME=" + probed.name() + "\n")
                || !o.contains("ID_NET_LINK_FILE=/run/systemd/network/10-" + probed.name() + ".link\n")) {
            problems.add(what + "udev did not name " + probed.mac() + " " + probed.name());
        }
        if (o.contains("networkd: not online")) problems.add(what + "networkd did not finish configuring");
        Map<String, String> a = h.addresses();
        Map<String, Set<String>> expected = Map.of("ext0", a.containsKey("public.ipv6")
                ? Set.of(a.get("public.ipv4"), a.get("public.ipv6")) : Set.of(a.get("public.ipv4")),
                "mgmt0", Set.of(a.get("mgmt.ipv4")));
        for (Map.Entry<String, Set<String>> e : expected.entrySet()) {
            if (!o.matches("(?s).*\\s" + e.getKey() + " +ether +routable +configured.*")) {
                problems.add(what + e.getKey() + " is not routable and configured");
            }
            Set<String> global = new HashSet<>();
            for (String line : o.lines().toList()) {
                if (!line.startsWith(e.getKey() + "@")) continue;
                String[] words = line.trim().split(" +");
                for (int w = 2; w < words.length; w++) if (!words[w].startsWith("fe80:")) global.add(words[w]);
            }
            if (!global.equals(e.getValue())) problems.add(what + e.getKey() + " has " + global + ", not " + e.getValue());
        }
        Site.Network pub = r.site().rack(h.rack()).publicNet();
        if (!o.contains("default via " + pub.gateway4() + " dev ext0")) problems.add(what + "no IPv4 default route");
        boolean v6Route = pub.gateway6() != null && o.contains("default via " + pub.gateway6() + " dev ext0");
        if (a.containsKey("public.ipv6") != v6Route) problems.add(what + "IPv6 default route wrong");
        // A line of networkd's that starts with a file name is a complaint (unknown key, bad value);
        // the probe file proves such lines are caught, and it must be the only one.
        String log = o.substring(o.indexOf("== log")).strip();
        if (!log.equals("== log\n/run/systemd/network/99-probe.network:4: Unknown key 'BogusKey' in section [Network], ignoring.")) {
            problems.add(what + "networkd complained:\n" + log);
        }
    }

    @Test
    void eachCheckRejectsABrokenFile() throws IOException {
        List<String> failures = new ArrayList<>();
        Path bad = dir.resolve("broken");
        Files.createDirectories(bad);
        Path preseed = bad.resolve("p.cfg");
        Files.writeString(preseed, "d-i passwd/root-login boolean\nd-i foo\n");
        Tools.Run debconf = Tools.debconf(List.of(preseed));
        if (debconf.exit() == 0 || !debconf.output().contains("parse error on line 2: 'd-i foo'")) {
            failures.add("debconf accepted a broken file:\n" + debconf.output());
        }
        check(failures, "cloud-init", bad.resolve("u.yaml"), "#cloud-config\nssh_pwauth: maybe\nusers: 5\n",
                Tools.require("cloud-init", "cloud-init").toString(), "schema", "--config-file", "%s");
        check(failures, "dnsmasq", bad.resolve("d.conf"), "dhcp-hots=0c:c4:7a:01:02:10,10.0.0.5\n",
                Tools.require("dnsmasq", "dnsmasq-base").toString(), "--conf-file=%s", "--test");
        check(failures, "dhcpd", bad.resolve("i.conf"), "host x {\n  hardware ethernet 0c:c4:7a:01:02:10\n}\n",
                Tools.require("dhcpd", "isc-dhcp-server").toString(), "-t", "-cf", "%s");
        check(failures, "kea", bad.resolve("k.json"),
                "{\"Dhcp4\":{\"subnet4\":[{\"id\":1,\"subnet\":\"10.0.0.0/24\",\"reservations\":[{\"hw-address\":\"zz\",\"ip-address\":\"10.0.0.5\"}]}]}}",
                Tools.require("kea-dhcp4", "kea-dhcp4-server").toString(), "-t", "%s");
        check(failures, "vtysh", bad.resolve("f.conf"), "router bgp 65000\n bgp bestpath as-path multipath-relaxed\n",
                Tools.require("vtysh", "frr").toString(), "--dryrun", "-f", "%s");
        assertTrue(failures.isEmpty(), String.join("\n", failures));

        // The batch of cloud-init checks refuses as the command does: the user-data of the lab's plan before keys were optional.
        Path userData = bad.resolve("user-data");
        Files.writeString(userData, "#cloud-config\nusers:\n  - name: metal\n    ssh_authorized_keys:\nphone_home: {url: x}\n");
        Path networkConfig = bad.resolve("network-config");
        Files.writeString(networkConfig, "version: 2\nethernets:\n  ext0:\n    addresses: [\"203.0.113.10/33\"]\n");
        Path metaData = bad.resolve("meta-data");
        Files.writeString(metaData, "- instance-id\n");
        Map<Path, Tools.CloudInitResult> results = Tools.cloudInit(List.of(userData), List.of(networkConfig), List.of(metaData));
        for (Path p : List.of(userData, networkConfig, metaData)) {
            assertFalse(results.get(p).ok(), p + " accepted:\n" + results.get(p).output());
        }
        assertTrue(results.get(userData).output().contains("'ssh_authorized_keys': None"), results.get(userData).output());
    }

    private static void check(List<String> failures, String name, Path file, String content, String... command)
            throws IOException {
        Files.writeString(file, content);
        List<String> cmd = new ArrayList<>();
        for (String c : command) cmd.add(c.replace("%s", file.toString()));
        Tools.Run run = Tools.run(cmd);
        if (run.exit() == 0) failures.add(name + " accepted a broken file:\n" + run.output());
        assertNotEquals(-1, run.exit());
    }
}

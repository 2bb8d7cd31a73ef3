package dev.metal.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metal.cli.CliRun;
import dev.metal.testing.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every rendered file is read by the program that consumes it, from Debian's packages.
 * The last test shows that each check rejects a broken file, so a pass means something.
 */
class RenderToolsTest {
    @TempDir
    static Path dir;
    static Path out;

    @BeforeAll
    static void renderEverything() {
        Path state = dir.resolve("state.json");
        RenderFixture.seed(state, RenderFixture.host("r01", 1), RenderFixture.host("r01", 2), RenderFixture.host("r02", 1));
        assertEquals(0, CliRun.metal(state, "site", "set", RenderFixture.sampleSite().toString()).exitCode);
        out = dir.resolve("out");
        for (Renderer.Kind k : Renderer.Kind.values()) {
            CliRun run = CliRun.metal(state, "render", k.label, "--all", "--out", out.resolve(k.label).toString());
            assertEquals(0, run.exitCode, run.toString());
        }
    }

    static List<Path> files(String kind, String name) throws IOException {
        try (Stream<Path> s = Files.walk(out.resolve(kind))) {
            List<Path> l = s.filter(p -> p.getFileName().toString().equals(name)).sorted().toList();
            assertTrue(!l.isEmpty(), "no " + name + " rendered");
            return l;
        }
    }

    static void accepted(Tools.Run run, Object what) {
        assertEquals(0, run.exit(), what + " rejected:\n" + run.output());
    }

    @Test
    void preseedPassesDebconf() throws IOException {
        Path tool = Tools.require("debconf-set-selections", "debconf");
        List<Path> all = files("preseed", "preseed.cfg");
        assertEquals(3, all.size());
        for (Path f : all) accepted(Tools.run(tool.toString(), "-c", f.toString()), f);
    }

    @Test
    void userDataPassesCloudInitSchema() throws IOException {
        Path tool = Tools.require("cloud-init", "cloud-init");
        for (Path f : files("cloud-init", "user-data")) {
            Tools.Run run = Tools.run(tool.toString(), "schema", "--config-file", f.toString());
            accepted(run, f);
            assertTrue(run.output().contains("Valid cloud-config"), run.output());
        }
    }

    /** cloud-init 22.4 has no network-config schema command; its own v2 parser reads the file instead. */
    @Test
    void networkConfigParsesWithCloudInit() throws IOException {
        Tools.require("cloud-init", "cloud-init");
        Path f = out.resolve("cloud-init/r01-s02/network-config");
        Tools.Run run = Tools.run("/usr/bin/python3", "-c", String.join("\n",
                "import sys, yaml",
                "from cloudinit.net import network_state",
                "ns = network_state.parse_net_config_data(yaml.safe_load(open(sys.argv[1])))",
                "for i in sorted(ns.iter_interfaces(), key=lambda i: i['name']):",
                "    print(i['name'], i['mac_address'], ' '.join(s['address'] + '/' + str(s['prefix']) for s in i['subnets']))",
                "print('dns', ' '.join(ns.dns_nameservers))"), f.toString());
        accepted(run, f);
        assertTrue(run.output().contains("ext0 0c:c4:7a:01:02:20 203.0.113.11/26 2001:db8:100:1::b/64"), run.output());
        assertTrue(run.output().contains("mgmt0 0c:c4:7a:01:02:10 10.10.1.11/24"), run.output());
        assertTrue(run.output().contains("ext1 0c:c4:7a:01:02:21 \n"), run.output());
    }

    @Test
    void dhcpFilesPassDnsmasqDhcpdAndKea() {
        Path dhcp = out.resolve("dhcp");
        Tools.Run dnsmasq = Tools.run(Tools.require("dnsmasq", "dnsmasq-base").toString(),
                "--conf-file=" + dhcp.resolve("dnsmasq.conf"), "--test");
        accepted(dnsmasq, "dnsmasq.conf");
        accepted(Tools.run(Tools.require("dhcpd", "isc-dhcp-server").toString(), "-t", "-cf",
                dhcp.resolve("dhcpd.conf").toString()), "dhcpd.conf");
        Tools.Run kea = Tools.run(Tools.require("kea-dhcp4", "kea-dhcp4-server").toString(), "-t",
                dhcp.resolve("kea-dhcp4.json").toString());
        accepted(kea, "kea-dhcp4.json");
        assertTrue(kea.output().contains("10.20.2.0/24"), kea.output());
    }

    @Test
    void frrFilesPassVtyshDryRun() throws IOException {
        Path vtysh = Tools.require("vtysh", "frr");
        List<Path> all = files("frr", "frr.conf");
        assertEquals(3 + 2 + 2, all.size(), "3 servers, 2 spines, 2 ToRs");
        for (Path f : all) accepted(Tools.run(vtysh.toString(), "--dryrun", "-f", f.toString()), f);
    }

    /**
     * systemd itself reads the networkd files: systemd-networkd runs in a network and mount
     * namespace of the test's own, with veth pairs named like the host's NICs, and configures
     * them; networkctl (over a private D-Bus) and ip show the result. udev's net_setup_link
     * builtin applies the .link files to an interface carrying the NIC's MAC.
     */
    @Test
    void networkdFilesAreAppliedBySystemdNetworkd() throws IOException {
        for (String[] t : new String[][] {{"systemd-networkd", "systemd"}, {"networkctl", "systemd"},
            {"udevadm", "udev"}, {"dbus-daemon", "dbus-daemon"}, {"ip", "iproute2"}, {"unshare", "util-linux"}}) {
            Tools.require(t[0], t[1]);
        }
        Path files = out.resolve("networkd/r01-s02");
        Path script = dir.resolve("networkd-check.sh");
        Files.writeString(script, String.join("\n",
                "set -e",
                "mount -t tmpfs tmpfs /run/systemd",
                "mount -t sysfs -o ro sysfs /sys   # read-only /sys: networkd does not wait for udev",
                "mkdir -p /run/systemd/network /run/systemd/netif /run/dbus",
                "mount -t tmpfs tmpfs /run/dbus",
                "cp " + files + "/* /run/systemd/network/",
                "printf '[Match]\\nName=nothing0\\n[Network]\\nBogusKey=1\\n' > /run/systemd/network/99-probe.network",
                "chmod 644 /run/systemd/network/*",
                "chown -R systemd-network:systemd-network /run/systemd/netif",
                "dbus-daemon --system --fork --nopidfile",
                "ip link set lo up",
                "for n in ext0 ext1 mgmt0; do ip link add $n type veth peer name ${n}p; ip link set ${n}p up; done",
                "echo '== link'",
                "ip link add probe0 address 0c:c4:7a:01:02:21 type veth peer name probe0p",
                "udevadm test-builtin net_setup_link /sys/class/net/probe0 2>&1 | grep -E '^ID_NET_(NAME|LINK_FILE)='",
                "SYSTEMD_LOG_LEVEL=info SYSTEMD_LOG_TARGET=console /lib/systemd/systemd-networkd > networkd.log 2>&1 &",
                "pid=$!",
                // Until every link networkd manages is done (ext0 routable and none still configuring), at most 20 s.
                "for i in $(seq 100); do l=$(networkctl list 2>/dev/null); echo \"$l\" | grep -q 'ext0 .*routable.*configured'"
                        + " && ! echo \"$l\" | grep -q configuring && break; sleep 0.2; done",
                "echo '== networkctl'; networkctl list --no-pager",
                "echo '== addr'; ip -br addr",
                "echo '== route'; ip route; ip -6 route show default",
                "kill $pid; wait $pid || true",
                "echo '== log'; grep '^/run/systemd/network/' networkd.log || true",
                ""));
        Tools.Run run = Tools.run(List.of("unshare", "--net", "--mount", "--", "bash", "-c",
                "cd " + dir + " && bash " + script));
        String o = run.output();
        accepted(run, "networkd check");
        assertTrue(o.contains("ID_NET_NAME=ext1"), o);
        assertTrue(o.contains("ID_NET_LINK_FILE=/run/systemd/network/10-ext1.link"), o);
        assertTrue(o.matches("(?s).*ext0 +ether +routable +configured.*"), o);
        assertTrue(o.matches("(?s).*mgmt0 +ether +routable +configured.*"), o);
        assertTrue(o.matches("(?s).*ext0@ext0p +UP +203\\.0\\.113\\.11/26 2001:db8:100:1::b/64.*"), o);
        assertTrue(o.matches("(?s).*mgmt0@mgmt0p +UP +10\\.10\\.1\\.11/24.*"), o);
        assertTrue(o.contains("default via 203.0.113.1 dev ext0"), o);
        assertTrue(o.contains("default via 2001:db8:100:1::1 dev ext0"), o);
        // A line of networkd's that starts with a file name is a complaint (unknown key, bad value);
        // the probe file proves such lines are caught, and it must be the only one.
        String log = o.substring(o.indexOf("== log")).strip();
        assertEquals("== log\n/run/systemd/network/99-probe.network:4: Unknown key 'BogusKey' in section [Network], ignoring.",
                log, "networkd complained:\n" + log);
    }

    @Test
    void eachCheckRejectsABrokenFile() throws IOException {
        List<String> failures = new ArrayList<>();
        Path bad = dir.resolve("broken");
        Files.createDirectories(bad);
        check(failures, "debconf", bad.resolve("p.cfg"), "d-i passwd/root-login boolean\nd-i foo\n",
                Tools.require("debconf-set-selections", "debconf").toString(), "-c", "%s");
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

package dev.metal.render;

import dev.metal.model.BadInputException;
import dev.metal.model.Host;
import dev.metal.model.Site;
import dev.metal.util.UserFiles;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads and checks a site plan file. Every problem is reported with its line, all at once,
 * so that one edit-and-retry fixes the file.
 */
public final class SitePlans {
    private SitePlans() {}

    static final Set<String> ROLES = Set.of("public", "mgmt");

    /** Plain URL characters only: the boot URL lands inside shell quotes in the preseed. */
    private static final Pattern BOOT_URL = Pattern.compile("https?://[A-Za-z0-9.:\\[\\]-]+(/[A-Za-z0-9._~/%+,=:@-]*)?");

    /** Whether a boot URL is http(s) and safe to put in the rendered files. */
    public static boolean isBootUrl(String url) {
        return BOOT_URL.matcher(url).matches();
    }

    public static Site read(Path file) {
        String text = UserFiles.readText(file);
        return parse(new StringReader(text), file.toString());
    }

    public static Site parse(Reader reader, String fileName) {
        YamlTree.Node root;
        try {
            root = YamlTree.read(reader, fileName);
        } catch (IOException e) {
            throw new BadInputException(fileName + ": cannot read: " + e.getMessage());
        }
        Checker c = new Checker(fileName);
        Site site = c.site(root);
        if (!c.problems.isEmpty()) throw new BadInputException(c.problems);
        return site;
    }

    /**
     * Refuses a plan whose racks cannot give every host the state has in them an address.
     * Checked against the hosts there when the plan is set; a host imported later into a
     * full rack is told so when it is rendered.
     */
    public static void requireRoom(Path file, Site site, Collection<Host> hosts) {
        List<String> problems = new ArrayList<>();
        for (String p : Allocator.overfull(site, hosts)) problems.add(file + ": " + p);
        if (!problems.isEmpty()) throw new BadInputException(problems);
    }

    /** Walks the tree, collecting problems; returns nulls where a value is unusable. */
    private static final class Checker {
        final String file;
        final List<String> problems = new ArrayList<>();
        /** Every subnet seen, to refuse overlaps (two hosts would share an address). */
        final List<Map.Entry<String, Cidr>> subnets = new ArrayList<>();

        Checker(String file) {
            this.file = file;
        }

        void problem(YamlTree.Node at, String message) {
            problems.add(file + " line " + (at == null ? 1 : at.line()) + ": " + message);
        }

        Map<String, YamlTree.Node> map(YamlTree.Node n, String what, Set<String> allowed) {
            if (n == null || n.map() == null) {
                problem(n, what + " must be a mapping");
                return Map.of();
            }
            for (Map.Entry<String, YamlTree.Node> e : n.map().entrySet()) {
                if (allowed != null && !allowed.contains(e.getKey())) {
                    problem(e.getValue(), "unknown key '" + e.getKey() + "' in " + what
                            + " (known: " + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
                }
            }
            return n.map();
        }

        String text(YamlTree.Node parent, Map<String, YamlTree.Node> m, String key, boolean required) {
            YamlTree.Node n = m.get(key);
            if (n == null || n.value() == null) {
                if (required) problem(parent, "missing '" + key + "'");
                return null;
            }
            if (n.text() == null) {
                problem(n, "'" + key + "' must be a single value");
                return null;
            }
            return n.text().trim();
        }

        List<String> texts(Map<String, YamlTree.Node> m, String key) {
            YamlTree.Node n = m.get(key);
            List<String> out = new ArrayList<>();
            if (n == null || n.value() == null) return out;
            if (n.list() == null) {
                problem(n, "'" + key + "' must be a list");
                return out;
            }
            for (YamlTree.Node item : n.list()) {
                if (item.text() == null) problem(item, "'" + key + "' entries must be single values");
                else out.add(item.text().trim());
            }
            return out;
        }

        long number(YamlTree.Node parent, Map<String, YamlTree.Node> m, String key, long min, long max) {
            String t = text(parent, m, key, true);
            if (t == null) return -1;
            try {
                long v = Long.parseLong(t);
                if (v < min || v > max) {
                    problem(m.get(key), "'" + key + "' must be between " + min + " and " + max);
                }
                return v;
            } catch (NumberFormatException e) {
                problem(m.get(key), "'" + key + "' must be a number, not '" + t + "'");
                return -1;
            }
        }

        String url(YamlTree.Node parent, Map<String, YamlTree.Node> m, String key, boolean required) {
            String t = text(parent, m, key, required);
            if (t != null && !isBootUrl(t)) {
                problem(m.get(key), "'" + key + "' must be an http:// or https:// URL, not '" + t + "'");
            }
            return t;
        }

        /** A URL, or a path under /files/ of the boot server that serves the machine (the agent's kernel and initrd). */
        String bootFile(YamlTree.Node parent, Map<String, YamlTree.Node> m, String key) {
            String t = text(parent, m, key, true);
            if (t != null && !isBootUrl(t) && !t.matches("/files/[A-Za-z0-9._/-]+")) {
                problem(m.get(key), "'" + key + "' must be an http:// or https:// URL or a path /files/..., not '" + t + "'");
            }
            return t;
        }

        String name(YamlTree.Node parent, Map<String, YamlTree.Node> m, String key, boolean required) {
            String t = text(parent, m, key, required);
            if (t != null && !t.matches("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")) {
                problem(m.get(key), "'" + key + "' must be letters, digits, '-' and '.', not '" + t + "'");
            }
            return t;
        }

        Site site(YamlTree.Node root) {
            Map<String, YamlTree.Node> m = map(root, "the site plan", Set.of("name", "domain", "boot_url", "dns",
                    "ssh_keys", "nics", "first_host", "asn", "fabric", "racks", "os"));
            String name = name(root, m, "name", true);
            String domain = name(root, m, "domain", true);
            String bootUrl = url(root, m, "boot_url", true);
            if (bootUrl != null && bootUrl.endsWith("/")) bootUrl = bootUrl.substring(0, bootUrl.length() - 1);
            List<String> dns = texts(m, "dns");
            for (String d : dns) address(m.get("dns"), d, "dns");
            List<String> keys = texts(m, "ssh_keys");
            for (String k : keys) {
                if (!k.matches("(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp\\d+|sk-\\S+) [A-Za-z0-9+/=]+( .*)?")) {
                    problem(m.get("ssh_keys"), "ssh_keys entry is not an OpenSSH public key: '"
                            + (k.length() > 30 ? k.substring(0, 30) + "..." : k) + "'");
                } else if (k.contains("'") || k.contains("\"")) {
                    problem(m.get("ssh_keys"), "ssh_keys entries may not contain quotes");
                }
            }
            Map<String, String> nics = new LinkedHashMap<>();
            YamlTree.Node nicsNode = m.get("nics");
            if (nicsNode == null) problem(root, "missing 'nics' (profile NIC names for public and mgmt)");
            else {
                Map<String, YamlTree.Node> nm = map(nicsNode, "nics", ROLES);
                for (String role : List.of("public", "mgmt")) {
                    String n = name(nicsNode, nm, role, true);
                    if (n != null) nics.put(role, n);
                }
            }
            int firstHost = m.containsKey("first_host") ? (int) number(root, m, "first_host", 1, 1000) : 10;
            Site.Asn asn = null;
            if (m.get("asn") == null) problem(root, "missing 'asn'");
            else {
                YamlTree.Node an = m.get("asn");
                Map<String, YamlTree.Node> am = map(an, "asn", Set.of("spine", "tor", "server"));
                asn = new Site.Asn(number(an, am, "spine", 1, 4294967294L), number(an, am, "tor", 1, 4294967294L),
                        number(an, am, "server", 1, 4294967294L));
            }
            Site.Fabric fabric = fabric(root, m.get("fabric"));
            List<Site.Rack> racks = racks(root, m.get("racks"), firstHost);
            Map<String, Site.Os> os = os(root, m.get("os"));
            Set<String> devices = new HashSet<>(fabric == null ? List.of() : fabric.spines());
            for (Site.Rack r : racks) {
                if (!devices.add(r.tor())) problem(m.get("racks"), "switch name '" + r.tor() + "' is used twice");
            }
            if (fabric != null && fabric.loopbacks() != null && !racks.isEmpty()) {
                try {
                    long ids = Cidr.parse(fabric.loopbacks()).size().min(java.math.BigInteger.valueOf(1L << 40)).longValue();
                    if (ids < fabric.spines().size() + racks.size() + 2L) {
                        problem(m.get("fabric").map().get("loopbacks"), "fabric loopbacks " + fabric.loopbacks() + " has too few addresses for "
                                + fabric.spines().size() + " spines and " + racks.size() + " ToRs");
                    }
                } catch (IllegalArgumentException e) {
                    // reported where the loopbacks were read
                }
            }
            if (asn != null && asn.tor() > 0 && asn.tor() + racks.size() - 1 > 4294967294L) {
                problem(m.get("asn"), "asn: tor " + asn.tor() + " + " + racks.size() + " racks passes 4294967294");
            }
            return new Site(name, domain, bootUrl, dns, keys, nics, firstHost, asn, fabric, racks, os);
        }

        Site.Fabric fabric(YamlTree.Node root, YamlTree.Node n) {
            if (n == null) {
                problem(root, "missing 'fabric'");
                return null;
            }
            Map<String, YamlTree.Node> m = map(n, "fabric", Set.of("loopbacks", "spines", "ports"));
            String loopbacks = text(n, m, "loopbacks", true);
            if (loopbacks != null) cidr(m.get("loopbacks"), loopbacks, false, "fabric loopbacks");
            List<String> spines = texts(m, "spines");
            YamlTree.Node pn = m.get("ports");
            Map<String, YamlTree.Node> pm = pn == null ? Map.of() : map(pn, "fabric ports", Set.of("server", "tor", "spine"));
            if (pn == null) problem(n, "missing 'ports' (BGP ports per role: server, tor, spine)");
            List<String> server = texts(pm, "server");
            List<String> tor = texts(pm, "tor");
            List<String> spine = texts(pm, "spine");
            for (String p : concat(server, tor, spine)) {
                if (!p.matches("[A-Za-z0-9._-]{1,15}")) problem(pn, "'" + p + "' is not an interface name");
            }
            if (pn != null && server.isEmpty()) problem(pn, "fabric ports: 'server' needs at least one port");
            return new Site.Fabric(loopbacks, spines, server, tor, spine);
        }

        List<Site.Rack> racks(YamlTree.Node root, YamlTree.Node n, int firstHost) {
            List<Site.Rack> out = new ArrayList<>();
            if (n == null || n.list() == null || n.list().isEmpty()) {
                problem(n == null ? root : n, "'racks' must be a list of at least one rack");
                return out;
            }
            Set<String> names = new HashSet<>();
            for (YamlTree.Node rn : n.list()) {
                Map<String, YamlTree.Node> m = map(rn, "a rack", Set.of("name", "tor", "public", "mgmt", "bmc"));
                String name = name(rn, m, "name", true);
                if (name == null) continue;
                if (!names.add(name)) problem(rn, "rack '" + name + "' is listed twice");
                String tor = m.containsKey("tor") ? name(rn, m, "tor", true) : name + "-tor";
                Site.Network pub = network(rn, m.get("public"), name + " public", true, firstHost);
                Site.Network mgmt = network(rn, m.get("mgmt"), name + " mgmt", false, firstHost);
                Site.Network bmc = network(rn, m.get("bmc"), name + " bmc", false, firstHost);
                out.add(new Site.Rack(name, tor, pub, mgmt, bmc));
            }
            return out;
        }

        Site.Network network(YamlTree.Node rack, YamlTree.Node n, String what, boolean ipv6Allowed, int firstHost) {
            if (n == null) {
                problem(rack, "rack " + what.replace(" ", ": missing '") + "' network");
                return null;
            }
            Set<String> keys = ipv6Allowed ? Set.of("ipv4", "gateway4", "ipv6", "gateway6") : Set.of("ipv4", "gateway4");
            Map<String, YamlTree.Node> m = map(n, what, keys);
            String v4 = text(n, m, "ipv4", true);
            String gw4 = text(n, m, "gateway4", true);
            checkSubnet(m, v4, gw4, "ipv4", "gateway4", false, what, firstHost);
            String v6 = text(n, m, "ipv6", false);
            String gw6 = text(n, m, "gateway6", v6 != null);
            if (v6 != null) checkSubnet(m, v6, gw6, "ipv6", "gateway6", true, what, firstHost);
            return new Site.Network(v4, gw4, v6, gw6);
        }

        void checkSubnet(Map<String, YamlTree.Node> m, String subnet, String gateway, String key, String gwKey,
                         boolean v6, String what, int firstHost) {
            if (subnet == null) return;
            Cidr c = cidr(m.get(key), subnet, v6, what + " " + key);
            if (c == null) return;
            if (c.size().compareTo(BigInteger.valueOf(firstHost + 2L)) < 0) {
                problem(m.get(key), what + " " + key + " " + subnet + " has no room for hosts after first_host "
                        + firstHost);
            }
            for (Map.Entry<String, Cidr> other : subnets) {
                Cidr o = other.getValue();
                if (o.v6() != c.v6()) continue;
                int shorter = Math.min(o.prefix(), c.prefix());
                if (o.network().shiftRight(o.bits() - shorter).equals(c.network().shiftRight(c.bits() - shorter))) {
                    problem(m.get(key), what + " " + key + " " + subnet + " overlaps " + other.getKey());
                }
            }
            subnets.add(Map.entry(what + " " + key + " " + subnet, c));
            if (gateway != null) {
                try {
                    if (!c.contains(gateway)) problem(m.get(gwKey), what + " " + gwKey + " " + gateway + " is not in " + subnet);
                } catch (IllegalArgumentException e) {
                    problem(m.get(gwKey), what + " " + gwKey + ": " + e.getMessage());
                }
            }
        }

        Cidr cidr(YamlTree.Node at, String text, boolean v6, String what) {
            try {
                Cidr c = Cidr.parse(text);
                if (c.v6() != v6) {
                    problem(at, what + " must be an IPv" + (v6 ? "6" : "4") + " prefix, not '" + text + "'");
                    return null;
                }
                return c;
            } catch (IllegalArgumentException e) {
                problem(at, what + ": " + e.getMessage());
                return null;
            }
        }

        void address(YamlTree.Node at, String text, String what) {
            try {
                Cidr.address(text);
            } catch (IllegalArgumentException e) {
                problem(at, what + ": " + e.getMessage());
            }
        }

        Map<String, Site.Os> os(YamlTree.Node root, YamlTree.Node n) {
            Map<String, Site.Os> out = new LinkedHashMap<>();
            if (n == null || n.map() == null || n.map().isEmpty()) {
                problem(n == null ? root : n, "'os' must map at least one OS name to its kernel, initrd and installer");
                return out;
            }
            for (Map.Entry<String, YamlTree.Node> e : n.map().entrySet()) {
                YamlTree.Node on = e.getValue();
                if (!e.getKey().matches("[a-z0-9][a-z0-9._-]*")) problem(on, "OS name '" + e.getKey() + "' is not valid");
                Map<String, YamlTree.Node> m = map(on, "os " + e.getKey(),
                        Set.of("kernel", "initrd", "cmdline", "image", "installer"));
                String cmdline = text(on, m, "cmdline", false);
                out.put(e.getKey(), new Site.Os(bootFile(on, m, "kernel"), bootFile(on, m, "initrd"),
                        cmdline == null ? "" : cmdline, url(on, m, "image", false), url(on, m, "installer", true)));
            }
            return out;
        }

        @SafeVarargs
        static List<String> concat(List<String>... lists) {
            List<String> all = new ArrayList<>();
            for (List<String> l : lists) all.addAll(l);
            return all;
        }
    }
}

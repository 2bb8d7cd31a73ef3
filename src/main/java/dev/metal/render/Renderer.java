package dev.metal.render;

import dev.metal.model.BadInputException;
import dev.metal.model.ConflictException;
import dev.metal.model.Host;
import dev.metal.model.Macs;
import dev.metal.model.ProfileMatch;
import dev.metal.model.Secret;
import dev.metal.model.Site;
import dev.metal.util.Secrets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a host and the site plan into the files a machine and its network need. This is
 * the core that 'metal render' and the boot server share: it reads nothing but its
 * arguments and returns file name to content. One instance compiles each template once
 * and may be used from many threads.
 */
public final class Renderer {
    /** What can be rendered. Per host, except DHCP which can also cover many hosts in one set of files. */
    public enum Kind {
        PRESEED("preseed", true), IPXE("ipxe", true), NETWORKD("networkd", false), CLOUD_INIT("cloud-init", true),
        DHCP("dhcp", false), FRR("frr", false);

        public final String label;
        /** Whether the files carry the host's boot token. */
        public final boolean carriesToken;

        Kind(String label, boolean carriesToken) {
            this.label = label;
            this.carriesToken = carriesToken;
        }

        public static Kind parse(String text) {
            for (Kind k : values()) if (k.label.equalsIgnoreCase(text.trim())) return k;
            throw new BadInputException("unknown kind '" + text + "' (one of " + labels() + ")");
        }

        public static String labels() {
            List<String> l = new ArrayList<>();
            for (Kind k : values()) l.add(k.label);
            return String.join(", ", l);
        }

        @Override
        public String toString() {
            return label;
        }
    }

    /**
     * @param os        OS catalog name, or null for the host's provisioning OS, else the only/first entry
     * @param bootUrl   boot server base URL, or null for the site plan's
     * @param maskToken write {@link Secret#MASK} where the token goes (for output a person sees)
     */
    public record Options(String os, String bootUrl, boolean maskToken) {
        public static final Options REAL = new Options(null, null, false);
    }

    private static final java.util.regex.Pattern URL_SAFE = java.util.regex.Pattern.compile("[A-Za-z0-9._~-]+");

    private final Templates templates;
    /** Rack lookup by name for the last site plan seen: rendering a fleet asks once per host and kind. */
    private volatile Map.Entry<Site, Map<String, Site.Rack>> rackIndex;

    public Renderer(Path templatesDir) {
        this(new Templates(templatesDir));
    }

    public Renderer(Templates templates) {
        this.templates = templates;
    }

    /** The files of one kind for one host (DHCP: this host's reservations only). */
    public Map<String, String> render(Kind kind, Host host, Site site, Options options) {
        return switch (kind) {
            case PRESEED -> Map.of("preseed.cfg", templates.render("preseed.cfg", preseedContext(host, site, options)));
            case IPXE -> Map.of("boot.ipxe", templates.render("boot.ipxe", installContext(host, site, options)));
            case NETWORKD -> networkd(host, site);
            case CLOUD_INIT -> cloudInit(host, site, options);
            case DHCP -> dhcp(List.of(host), site);
            case FRR -> Map.of("frr.conf", templates.render("frr-server.conf", serverFrr(host, site)));
        };
    }

    // ---- DHCP -------------------------------------------------------------------------

    /** dnsmasq dhcp-host lines, ISC dhcpd host blocks and a Kea DHCPv4 configuration for these hosts. */
    public Map<String, String> dhcp(Collection<Host> hosts, Site site) {
        List<Map<String, Object>> all = new ArrayList<>();
        // Kea subnets keyed by a stable id: two per rack, in site plan order.
        TreeMap<Integer, Map<String, Object>> subnets = new TreeMap<>();
        for (Host h : hosts) {
            Site.Rack rack = rackOf(h, site);
            Map<String, String> a = allocated(h);
            int ri = site.rackIndex(rack.name());
            Map<String, Object> bmc = reservation(h.hostname() + "-bmc", h.bmc().mac(), a.get("bmc.ipv4"));
            Map<String, Object> mgmt = reservation(h.hostname(), h.mgmtMac(), a.get("mgmt.ipv4"));
            all.add(bmc);
            all.add(mgmt);
            subnet(subnets, ri * 2 + 1, rack, "mgmt", rack.mgmt()).add(mgmt);
            subnet(subnets, ri * 2 + 2, rack, "bmc", rack.bmc()).add(bmc);
        }
        List<Map<String, Object>> keaSubnets = new ArrayList<>();
        for (Map<String, Object> s : subnets.values()) {
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> res = (List<Map<String, Object>>) s.get("reservations");
            List<Map<String, Object>> withCommas = new ArrayList<>();
            for (int i = 0; i < res.size(); i++) {
                Map<String, Object> r = new LinkedHashMap<>(res.get(i));
                r.put("comma", i < res.size() - 1 ? "," : "");
                withCommas.add(r);
            }
            s.put("reservations", withCommas);
            s.put("comma", keaSubnets.size() < subnets.size() - 1 ? "," : "");
            keaSubnets.add(s);
        }
        Map<String, Object> ctx = Map.of("reservations", all, "subnets", keaSubnets);
        Map<String, String> files = new LinkedHashMap<>();
        files.put("dnsmasq.conf", templates.render("dnsmasq.conf", ctx));
        files.put("dhcpd.conf", templates.render("dhcpd.conf", ctx));
        files.put("kea-dhcp4.json", templates.render("kea-dhcp4.json", ctx));
        return files;
    }

    private static Map<String, Object> reservation(String name, String mac, String cidrAddress) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("name", name);
        // dnsmasq refuses a name that DNS would not take; the reservation holds without one.
        r.put("named", isDnsName(name));
        r.put("mac", Macs.normalize(mac));
        r.put("address", bare(cidrAddress));
        return r;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> subnet(TreeMap<Integer, Map<String, Object>> subnets, int id,
                                                    Site.Rack rack, String role, Site.Network net) {
        return (List<Map<String, Object>>) subnets.computeIfAbsent(id, k -> {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("id", Integer.toString(id));
            s.put("subnet", net.ipv4());
            s.put("gateway", net.gateway4());
            s.put("rack", rack.name());
            s.put("role", role);
            s.put("reservations", new ArrayList<Map<String, Object>>());
            return s;
        }).get("reservations");
    }

    // ---- FRR --------------------------------------------------------------------------

    /** The fabric switches of the site plan: spines, then each rack's ToR. */
    public static List<String> switches(Site site) {
        List<String> names = new ArrayList<>(site.fabric().spines());
        for (Site.Rack r : site.racks()) names.add(r.tor());
        return names;
    }

    /** FRR configuration for a spine or ToR named in the site plan; null when no such switch. */
    public Map<String, String> renderSwitch(String name, Site site) {
        Site.Fabric f = site.fabric();
        Cidr loopbacks = Cidr.parse(f.loopbacks());
        int spine = f.spines().indexOf(name);
        Map<String, Object> ctx = new LinkedHashMap<>();
        ctx.put("name", name);
        if (spine >= 0) {
            ctx.put("asn", Long.toString(site.asn().spine()));
            ctx.put("routerId", routerId(loopbacks, 1 + spine, name));
            ctx.put("ports", f.spinePorts());
            return Map.of("frr.conf", templates.render("frr-spine.conf", ctx));
        }
        for (int i = 0; i < site.racks().size(); i++) {
            Site.Rack r = site.racks().get(i);
            if (!r.tor().equals(name)) continue;
            ctx.put("rack", r.name());
            ctx.put("asn", Long.toString(site.asn().tor() + i));
            ctx.put("routerId", routerId(loopbacks, 1 + f.spines().size() + i, name));
            ctx.put("ports", f.torPorts());
            return Map.of("frr.conf", templates.render("frr-tor.conf", ctx));
        }
        return null;
    }

    private static String routerId(Cidr loopbacks, int index, String name) {
        if (loopbacks.size().longValue() <= index + 1L) {
            throw new BadInputException("fabric loopbacks " + loopbacks + " has no router-id left for " + name);
        }
        return loopbacks.nth(index);
    }

    private Map<String, Object> serverFrr(Host h, Site site) {
        rackOf(h, site);
        requireDnsName(h, site);
        Map<String, String> a = allocated(h);
        Map<String, Object> ctx = new LinkedHashMap<>();
        ctx.put("name", h.hostname());
        ctx.put("asn", a.get("bgp.asn"));
        ctx.put("routerId", bare(a.get("public.ipv4")));
        ctx.put("ports", site.fabric().serverPorts());
        ctx.put("networks4", List.of(bare(a.get("public.ipv4")) + "/32"));
        ctx.put("networks6", a.containsKey("public.ipv6") ? List.of(bare(a.get("public.ipv6")) + "/128") : List.of());
        return ctx;
    }

    // ---- host files -------------------------------------------------------------------

    private Map<String, String> networkd(Host host, Site site) {
        Map<String, Object> base = hostContext(host, site);
        Map<String, String> files = new TreeMap<>();
        for (Map<String, Object> nic : nics(host, site)) {
            Map<String, Object> ctx = new LinkedHashMap<>(base);
            ctx.put("nic", nic);
            files.put("10-" + nic.get("name") + ".link", templates.render("networkd.link", ctx));
            files.put("10-" + nic.get("name") + ".network", templates.render("networkd.network", ctx));
        }
        return files;
    }

    private Map<String, String> cloudInit(Host host, Site site, Options options) {
        Map<String, Object> ctx = installContext(host, site, options);
        ctx.put("nics", nics(host, site));
        Map<String, String> files = new LinkedHashMap<>();
        files.put("user-data", templates.render("user-data", ctx));
        files.put("meta-data", templates.render("meta-data", ctx));
        files.put("network-config", templates.render("network-config", ctx));
        return files;
    }

    /** Every matched NIC, with addresses on the public and management ones. */
    private List<Map<String, Object>> nics(Host host, Site site) {
        ProfileMatch match = requireMatch(host);
        Site.Rack rack = rackOf(host, site);
        Map<String, String> a = allocated(host);
        String publicNic = site.nics().get("public");
        String mgmtNic = site.nics().get("mgmt");
        List<Map<String, Object>> out = new ArrayList<>();
        for (ProfileMatch.NamedNic n : new TreeMap<>(match.nics()).values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", n.name());
            m.put("mac", Macs.normalize(n.mac()));
            m.put("slot", n.slot() == null ? "-" : n.slot());
            m.put("port", n.port() == null ? "-" : n.port());
            m.put("linkLocal", "ipv6");
            List<String> dns = List.of();
            if (n.name().equals(publicNic)) {
                m.put("ipv4", a.get("public.ipv4"));
                m.put("gateway4", rack.publicNet().gateway4());
                if (a.containsKey("public.ipv6")) {
                    m.put("ipv6", a.get("public.ipv6"));
                    m.put("gateway6", rack.publicNet().gateway6());
                }
                dns = site.dns();
            } else if (n.name().equals(mgmtNic)) {
                m.put("ipv4", a.get("mgmt.ipv4"));
            }
            m.put("dns", dns);
            m.put("hasAddresses", m.containsKey("ipv4") || m.containsKey("ipv6"));
            m.put("hasRoutes", m.containsKey("gateway4") || m.containsKey("gateway6"));
            m.put("hasDns", !dns.isEmpty());
            out.add(m);
        }
        for (String role : List.of("public", "mgmt")) {
            String name = site.nics().get(role);
            if (!match.nics().containsKey(name)) {
                throw new BadInputException(host.hostname() + ": profile " + match.profile() + " has no NIC named "
                        + name + " (the site plan's " + role + " NIC)");
            }
        }
        return out;
    }

    private Map<String, Object> preseedContext(Host host, Site site, Options options) {
        requireMatch(host);
        Map<String, Object> ctx = installContext(host, site, options);
        if (!ctx.containsKey("bootDisk")) {
            throw new BadInputException(host.hostname() + ": profile " + host.match().profile()
                    + " names no boot disk with a /dev/disk/by-id path");
        }
        return ctx;
    }

    /** Names, site, OS and URLs: what preseed, iPXE and cloud-init share. */
    private Map<String, Object> installContext(Host host, Site site, Options options) {
        Map<String, Object> ctx = hostContext(host, site);
        String osName = osName(host, site, options);
        Site.Os os = site.os().get(osName);
        if (os == null) {
            throw new BadInputException(host.hostname() + ": OS " + osName + " is not in the site plan's catalog ("
                    + String.join(", ", site.os().keySet()) + ")");
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("name", osName);
        String token = token(host, options);
        String bootUrl = options.bootUrl() != null ? options.bootUrl().replaceAll("/+$", "") : site.bootUrl();
        // A path /files/... is served by the boot server the machine talks to.
        o.put("kernel", os.kernel().startsWith("/") ? bootUrl + os.kernel() : os.kernel());
        o.put("initrd", os.initrd().startsWith("/") ? bootUrl + os.initrd() : os.initrd());
        o.put("cmdline", os.cmdline());
        o.put("image", os.image());
        java.net.URI installer = java.net.URI.create(os.installer());
        o.put("mirrorHost", installer.getRawAuthority());
        o.put("mirrorDirectory", installer.getRawPath() == null || installer.getRawPath().isEmpty() ? "/" : installer.getRawPath());
        ctx.put("os", o);

        ctx.put("bootUrl", bootUrl);
        ctx.put("token", token);
        ctx.put("reportUrl", bootUrl + "/report/" + host.hostname() + "?token=" + token);
        ctx.put("preseedUrl", bootUrl + "/config/" + host.hostname() + "/preseed.cfg?token=" + token);
        ctx.put("phoneHomeUrl", bootUrl + "/phone-home/" + host.hostname() + "?token=" + token);

        Site.Rack rack = rackOf(host, site);
        Map<String, String> a = allocated(host);
        Map<String, Object> mgmt = new LinkedHashMap<>();
        String mac = Macs.normalize(host.mgmtMac());
        mgmt.put("mac", mac);
        mgmt.put("macHyphen", mac.replace(':', '-'));
        mgmt.put("nic", site.nics().get("mgmt"));
        mgmt.put("address", bare(a.get("mgmt.ipv4")));
        mgmt.put("netmask", Cidr.parse(rack.mgmt().ipv4()).netmask());
        mgmt.put("gateway", rack.mgmt().gateway4());
        ctx.put("mgmt", mgmt);
        if (host.match() != null && host.match().bootDisk() != null) {
            // The matcher records the boot disk by its by-id path (see ProfileMatch); a disk name is taken too.
            String boot = host.match().bootDisk();
            ProfileMatch.NamedDisk d = host.match().disks().get(boot);
            if (d == null) {
                d = host.match().disks().values().stream().filter(n -> boot.equals(n.byIdPath())).findFirst().orElse(null);
            }
            if (d != null && d.byIdPath() != null) ctx.put("bootDisk", byIdPath(d.byIdPath()));
        }
        List<String> keys = new ArrayList<>(site.sshKeys());
        if (host.provisioning() != null && host.provisioning().sshKeys() != null) {
            for (String k : host.provisioning().sshKeys().split("\n")) if (!k.isBlank()) keys.add(k.strip());
        }
        ctx.put("sshKeys", keys);
        // Without keys the files leave them out: cloud-init refuses an empty key list, and the
        // installer must not touch a key file it never wrote. Provisioning asks for keys first.
        ctx.put("hasSshKeys", !keys.isEmpty());
        List<String> v4 = site.dns().stream().filter(d -> d.indexOf(':') < 0).toList();
        ctx.put("dnsV4", String.join(" ", v4));
        ctx.put("dnsV4First", v4.isEmpty() ? rack.mgmt().gateway4() : v4.get(0));
        return ctx;
    }

    private static Map<String, Object> hostContext(Host host, Site site) {
        requireDnsName(host, site);
        Map<String, Object> ctx = new LinkedHashMap<>();
        ctx.put("hostname", host.hostname());
        ctx.put("domain", site.domain());
        ctx.put("fqdn", host.hostname() + "." + site.domain());
        ctx.put("rack", host.rack());
        ctx.put("u", Integer.toString(host.u()));
        ctx.put("site", site.name());
        return ctx;
    }

    private static String osName(Host host, Site site, Options options) {
        if (options.os() != null) return options.os();
        if (host.provisioning() != null && host.provisioning().os() != null) return host.provisioning().os();
        return site.os().keySet().iterator().next();
    }

    private static String token(Host host, Options options) {
        if (options.maskToken()) return Secret.MASK;
        if (host.provisioning() == null || host.provisioning().token() == null) {
            throw new BadInputException(host.hostname() + " has no boot token yet");
        }
        String token = Secrets.resolve(host.provisioning().token());
        // The token goes into URLs and shell quotes; say what is wrong without showing it.
        if (!URL_SAFE.matcher(token).matches()) {
            throw new BadInputException(host.hostname() + ": its boot token has characters that are not URL-safe");
        }
        return token;
    }

    private static ProfileMatch requireMatch(Host host) {
        // A failed match is kept (with what was missing) but names no profile.
        if (host.profile() == null) {
            throw new BadInputException(host.hostname() + " has no profile match; run 'metal match' first");
        }
        return host.match();
    }

    private Site.Rack rackOf(Host host, Site site) {
        Map.Entry<Site, Map<String, Site.Rack>> index = rackIndex;
        if (index == null || index.getKey() != site) {
            Map<String, Site.Rack> m = new java.util.HashMap<>();
            for (Site.Rack r : site.racks()) m.put(r.name(), r);
            index = Map.entry(site, m);
            rackIndex = index;
        }
        Site.Rack rack = index.getValue().get(host.rack());
        if (rack == null) throw new BadInputException(host.hostname() + ": rack " + host.rack() + " is not in the site plan");
        return rack;
    }

    private static Map<String, String> allocated(Host host) {
        Map<String, String> a = host.addresses();
        if (!host.hasSiteAddresses() || !a.containsKey("mgmt.ipv4")) {
            throw new ConflictException(host.hostname() + " has no addresses allocated in rack " + host.rack());
        }
        return a;
    }

    /** Labels of 1 to 63 characters, 253 in all: what DNS, and the programs that read the files, take. */
    static boolean isDnsName(String name) {
        if (name.isEmpty() || name.length() > 253) return false;
        for (String label : name.split("\\.", -1)) if (label.isEmpty() || label.length() > 63) return false;
        return true;
    }

    /** The host's name with the site's domain is its FQDN in every file; it must be one DNS can hold. */
    private static void requireDnsName(Host host, Site site) {
        String fqdn = host.hostname() + "." + site.domain();
        if (!isDnsName(fqdn)) {
            throw new BadInputException(host.hostname() + ": its name with the domain " + site.domain() + " is "
                    + fqdn.length() + " characters; DNS names hold at most 253, and labels 63");
        }
    }

    /** A match stored by an earlier metal holds the bare by-id name; the installer needs the path. */
    private static String byIdPath(String disk) {
        return disk.startsWith("/") ? disk : "/dev/disk/by-id/" + disk;
    }

    private static String bare(String cidrAddress) {
        int slash = cidrAddress.indexOf('/');
        return slash < 0 ? cidrAddress : cidrAddress.substring(0, slash);
    }

}

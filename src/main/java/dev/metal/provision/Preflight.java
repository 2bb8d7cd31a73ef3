package dev.metal.provision;

import dev.metal.model.Host;
import dev.metal.model.Site;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a provisioning run checks before it claims a host or sends a BMC a command: everything
 * that does not need the machine. A mistake in the site plan, the OS catalog, the served files
 * or the keys would otherwise show up only after the machines were booted, one timeout per host.
 * Each check returns one line per problem; an empty list means go.
 */
public final class Preflight {
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(5);
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(HTTP_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();

    private Preflight() {}

    /** The site plan is there and its OS catalog has {@code os}. */
    public static List<String> os(Site site, String os) {
        if (site == null) return List.of("no site plan: load one with 'metal site set FILE'");
        if (os == null) return List.of();
        if (!site.os().containsKey(os)) {
            return List.of("unknown OS '" + os + "': the site plan's catalog has "
                    + (site.os().isEmpty() ? "no OS" : String.join(", ", new TreeSet<>(site.os().keySet()))));
        }
        return List.of();
    }

    /** A profile some host of the state matched; the problem names the known ones. */
    public static List<String> profile(String profile, Collection<Host> hosts) {
        if (profile == null) return List.of();
        Set<String> known = new TreeSet<>();
        for (Host h : hosts) if (h.profile() != null) known.add(h.profile());
        if (known.contains(profile)) return List.of();
        return List.of("unknown profile '" + profile + "': no host matched it"
                + (known.isEmpty() ? " (no host has matched a profile yet; run 'metal match')"
                : " (known: " + String.join(", ", known) + ")"));
    }

    /**
     * The host can be installed from the site plan: its rack is in the plan with the networks
     * the templates use, it has its addresses, its profile names the NICs the plan uses, and
     * its management MAC (the one it PXE-boots from) is known.
     */
    public static List<String> host(Host h, Site site) {
        List<String> p = new ArrayList<>();
        String name = h.hostname();
        Site.Rack rack = site.rack(h.rack());
        if (rack == null) {
            p.add(name + ": rack " + h.rack() + " is not in the site plan");
        } else {
            if (rack.mgmt() == null || rack.mgmt().ipv4() == null || rack.mgmt().gateway4() == null) {
                p.add(name + ": rack " + h.rack() + " has no mgmt network with ipv4 and gateway4 in the site plan"
                        + " (the installer's address comes from it)");
            }
            if (rack.publicNet() == null || rack.publicNet().ipv4() == null) {
                p.add(name + ": rack " + h.rack() + " has no public network with ipv4 in the site plan");
            }
            if (!h.hasSiteAddresses()) {
                p.add(name + ": has no addresses in rack " + h.rack() + " ('metal site set' again)");
            }
        }
        if (h.mgmtMac() == null || h.mgmtMac().isBlank()) {
            p.add(name + ": its management MAC is not known yet (scrape and match it, or give mgmt_mac)");
        }
        if (h.match() != null && h.profile() != null) {
            for (String role : List.of("public", "mgmt")) {
                String nic = site.nics().get(role);
                if (nic == null) continue;
                if (!h.match().nics().containsKey(nic)) {
                    p.add(name + ": profile " + h.profile() + " has no NIC named " + nic
                            + " (the site plan's " + role + " NIC)");
                }
            }
        }
        return p;
    }

    /** Every problem of these hosts, each once (hosts of one profile share theirs). */
    public static List<String> hosts(Collection<Host> hosts, Site site) {
        Set<String> out = new LinkedHashSet<>();
        for (Host h : hosts) out.addAll(host(h, site));
        return new ArrayList<>(out);
    }

    /** The SSH keys the installed systems get: the site plan's, or --ssh-key's, unless --no-ssh-keys. */
    public static List<String> sshKeys(Site site, String keysFromOption, boolean noSshKeys) {
        if (noSshKeys) return List.of();
        boolean fromSite = site != null && !site.sshKeys().isEmpty();
        boolean fromOption = keysFromOption != null && !keysFromOption.isBlank();
        if (fromSite || fromOption) return List.of();
        return List.of("no SSH keys: the site plan has none and no --ssh-key was given"
                + " (pass --ssh-key FILE, or --no-ssh-keys to install without)");
    }

    /**
     * The OS's kernel, initrd and image can be served. A URL under the boot server's /files/
     * is looked up in {@code files} when this run serves them itself ({@code files} not null);
     * any other URL, and every URL when another server serves, must answer a HEAD request.
     */
    public static List<String> bootFiles(Site site, String osName, Path files) {
        Site.Os os = site.os().get(osName);
        if (os == null) return List.of();
        List<String> p = new ArrayList<>();
        check(p, site, osName, "kernel", os.kernel(), files, true);
        check(p, site, osName, "initrd", os.initrd(), files, true);
        // An image given as a file name is one of the boot server's files.
        check(p, site, osName, "image", os.imageIsFile() ? "/files/" + os.image() : os.image(), files, false);
        return p;
    }

    private static void check(List<String> problems, Site site, String osName, String what, String url, Path files,
                              boolean required) {
        if (url == null || url.isBlank()) {
            if (required) problems.add("OS " + osName + ": the site plan names no " + what);
            return;
        }
        String base = site.bootUrl() == null ? "" : site.bootUrl().replaceAll("/+$", "");
        URI uri;
        try {
            uri = base.isEmpty() ? URI.create(url) : URI.create(base + "/").resolve(url);
        } catch (IllegalArgumentException e) {
            problems.add("OS " + osName + ": " + what + " " + url + " is not a URL");
            return;
        }
        String served = base + "/files/";
        if (files != null && uri.toString().startsWith(served)) {
            String relative = uri.toString().substring(served.length());
            int q = relative.indexOf('?');
            if (q >= 0) relative = relative.substring(0, q);
            Path file = files.resolve(relative).normalize();
            if (!file.startsWith(files.normalize()) || !Files.isRegularFile(file)) {
                problems.add("OS " + osName + ": " + what + " not found: " + file + " (served as " + uri
                        + "; pass --files DIR with " + relative + " in it)");
            } else if (!Files.isReadable(file)) {
                problems.add("OS " + osName + ": " + what + " " + file + " is not readable");
            }
            return;
        }
        String scheme = uri.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            problems.add("OS " + osName + ": " + what + " " + uri + " is not an http(s) URL");
            return;
        }
        String answer = answer(uri);
        if (answer != null) problems.add("OS " + osName + ": " + what + " " + uri + " cannot be fetched: " + answer);
    }

    /** Null when a HEAD of {@code uri} succeeds, else what went wrong. */
    private static String answer(URI uri) {
        try {
            HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(uri).timeout(HTTP_TIMEOUT)
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() / 100 == 2 ? null : "HTTP " + r.statusCode();
        } catch (IOException e) {
            return e.getMessage() == null ? e.getClass().getSimpleName() : "no answer (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /**
     * The boot server this run starts listens where the site plan tells machines to find it:
     * the same port, and the address of the boot URL (or every address).
     */
    public static List<String> listen(Site site, InetSocketAddress listen) {
        URI boot = bootUri(site);
        if (boot == null) return List.of("the site plan's boot_url " + site.bootUrl() + " is not an http URL");
        int port = port(boot);
        String where = listen.getHostString() + ":" + listen.getPort();
        if (port != listen.getPort()) {
            return List.of("the site plan sends machines to " + site.bootUrl() + " but the boot server listens on "
                    + where + " (--listen): not the same port");
        }
        InetAddress bound = listen.getAddress();
        if (bound == null || bound.isAnyLocalAddress()) return List.of();
        try {
            for (InetAddress a : InetAddress.getAllByName(boot.getHost())) {
                if (a.equals(bound)) return List.of();
            }
        } catch (IOException e) {
            return List.of("the site plan's boot_url host " + boot.getHost() + " does not resolve: " + e.getMessage());
        }
        return List.of("the site plan sends machines to " + site.bootUrl() + " but the boot server listens on "
                + where + " (--listen): not that address");
    }

    /** Something answers HTTP where the site plan tells machines to find the boot server. */
    public static List<String> answering(Site site) {
        URI boot = bootUri(site);
        if (boot == null) return List.of("the site plan's boot_url " + site.bootUrl() + " is not an http URL");
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(boot.getHost(), port(boot)), (int) HTTP_TIMEOUT.toMillis());
            return List.of();
        } catch (IOException e) {
            return List.of("no boot server answers at " + site.bootUrl() + ", where the site plan sends machines ("
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")");
        }
    }

    private static URI bootUri(Site site) {
        try {
            URI u = URI.create(site.bootUrl());
            boolean http = "http".equals(u.getScheme()) || "https".equals(u.getScheme());
            return http && u.getHost() != null ? u : null;
        } catch (IllegalArgumentException | NullPointerException e) {
            return null;
        }
    }

    private static int port(URI u) {
        return u.getPort() > 0 ? u.getPort() : "https".equals(u.getScheme()) ? 443 : 80;
    }
}

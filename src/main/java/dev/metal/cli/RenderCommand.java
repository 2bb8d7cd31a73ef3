package dev.metal.cli;

import dev.metal.model.BadInputException;
import dev.metal.render.Renderer;
import dev.metal.workflow.RenderService;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "render",
        description = {"Render the files one host (or every host) needs, from its profile match and the site plan.",
            "Kinds: preseed (Debian 12 installer), ipxe (boot script), networkd (systemd-networkd .link/.network),",
            "cloud-init (user-data, meta-data, network-config v2), dhcp (dnsmasq, ISC dhcpd and Kea reservations",
            "for BMCs and management NICs), frr (BGP unnumbered; HOST may also be a spine or ToR of the site plan).",
            "Addresses are allocated on first use and kept in the state, so rendering again gives the same files.",
            "Boot tokens: rendering never issues one; each attempt of 'metal provision' does. Files written with",
            "--out (mode 0600) for a host that is provisioning carry its attempt's token; for any other host they",
            "carry " + Renderer.NO_TOKEN + " in its place. Without --out the token is shown as **** and never printed."},
        footerHeading = "%nFiles written with --out:%n",
        footer = {
            "  HOST:   DIR/FILE...",
            "  --all:  DIR/HOST/FILE... (dhcp --all: one set of files in DIR)",
            "  preseed     preseed.cfg",
            "  ipxe        boot.ipxe",
            "  networkd    10-NIC.link and 10-NIC.network per NIC",
            "  cloud-init  user-data, meta-data, network-config",
            "  dhcp        dnsmasq.conf, dhcpd.conf, kea-dhcp4.json",
            "  frr         frr.conf"
        })
public final class RenderCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "KIND", description = "preseed, ipxe, networkd, cloud-init, dhcp or frr.",
            completionCandidates = KindCandidates.class)
    String kind;

    @Parameters(index = "1", arity = "0..1", paramLabel = "HOST", description = "The host (or, for frr, a switch) to render.")
    String host;

    @Option(names = "--all", description = "Every host (and for frr every switch); needs --out.")
    boolean all;

    @Option(names = "--out", paramLabel = "DIR", description = "Write the files here (mode 0600) instead of printing them.")
    Path out;

    @Option(names = "--templates", paramLabel = "DIR",
            description = "Templates that replace the built-in ones by name (see 'metal template export').")
    Path templates;

    @Option(names = "--os", paramLabel = "NAME", description = "OS from the site plan's catalog "
            + "(default: the host's provisioning OS, else the catalog's first).")
    String os;

    @Option(names = "--boot-url", paramLabel = "URL", description = "Boot server base URL (default: the site plan's boot_url).")
    String bootUrl;

    static final class KindCandidates extends java.util.ArrayList<String> {
        KindCandidates() {
            for (Renderer.Kind k : Renderer.Kind.values()) add(k.label);
        }
    }

    @Override
    protected Result execute() {
        Renderer.Kind k = Renderer.Kind.parse(kind);
        if ((host == null) == !all) throw new BadInputException("name one HOST or give --all");
        RenderService.Outcome o = new RenderService(store(), templates, log())
                .render(new RenderService.Request(k, all ? null : host, out, os, bootUrl));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("kind", k.label);
        // Contents only when they carry no token (without --out the token is masked).
        if (out == null) json.put("files", o.files());
        else json.put("written", o.written());
        json.put("failures", o.failures());
        json.put("skipped", o.skipped());
        return Results.of(json, w -> print(w, k, o), ExitCodes.forHosts(o.failures().size(), o.files().size()));
    }

    private void print(PrintWriter w, Renderer.Kind k, RenderService.Outcome o) {
        if (out == null) {
            for (Map<String, String> files : o.files().values()) {
                boolean many = files.size() > 1;
                for (Map.Entry<String, String> f : files.entrySet()) {
                    if (many) w.println("# ==> " + f.getKey() + " <==");
                    w.print(f.getValue());
                }
            }
        } else {
            w.printf("%s: wrote %d files in %s%n", k.label, o.written().size(), out);
        }
        if (!o.skipped().isEmpty()) {
            w.println("skipped (no profile match yet): " + String.join(", ", o.skipped()));
        }
        for (String f : o.failures()) w.println("failed: " + f);
    }
}

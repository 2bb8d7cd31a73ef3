package dev.metal.boot;

import dev.metal.model.BadInputException;
import dev.metal.model.ConflictException;
import dev.metal.model.Host;
import dev.metal.model.Site;
import dev.metal.render.Renderer;
import dev.metal.render.Renderer.Kind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the boot server hands out, rendered from the host's templates and the site plan. The Pixiecore answer is read off the rendered iPXE script, so that
 * both ways of booting run the same kernel with the same command line.
 */
public final class RenderedBootContent implements BootContent {
    /** The per-host kinds whose files the server hands out under /config/HOST/FILE. */
    private static final List<Kind> CONFIG_KINDS = List.of(Kind.PRESEED, Kind.CLOUD_INIT, Kind.NETWORKD);

    private final Renderer renderer;

    /** @param templatesDir a folder of template overrides, or null for the built-in templates */
    public RenderedBootContent(Path templatesDir) {
        this.renderer = new Renderer(templatesDir);
    }

    @Override
    public String ipxeScript(Host host, Site site, String baseUrl, String token) {
        return renderer.render(Kind.IPXE, host, required(site), options(baseUrl)).get("boot.ipxe");
    }

    /**
     * Pixiecore's API mode wants URLs it fetches itself: the kernel, each initrd, and the kernel
     * command line alone. They are read off the iPXE script's {@code kernel} and {@code initrd}
     * commands, past their options ({@code --name linux} names an image inside iPXE, and is no
     * URL); relative URLs are made absolute against the server's base URL. An {@code initrd=}
     * argument names an iPXE image and is left out: Pixiecore passes the initrds itself.
     */
    @Override
    public PixiecoreBoot pixiecore(Host host, Site site, String baseUrl, String token) {
        String script = ipxeScript(host, site, baseUrl, token);
        String kernel = null;
        String cmdline = "";
        List<String> initrd = new ArrayList<>();
        for (String line : script.split("\n")) {
            List<String> words = commandWords(line);
            if (words.size() < 2) continue;
            String command = words.get(0);
            if (command.equals("kernel")) {
                kernel = absolute(baseUrl, words.get(1));
                List<String> args = new ArrayList<>();
                for (String a : words.subList(2, words.size())) if (!a.startsWith("initrd=")) args.add(a);
                cmdline = String.join(" ", args);
            } else if (command.equals("initrd")) {
                initrd.add(absolute(baseUrl, words.get(1)));
            }
        }
        if (kernel == null) throw new BadInputException(host.hostname() + ": the iPXE script names no kernel");
        if (cmdline.contains("{{")) {
            // Pixiecore reads the command line as a Go template.
            throw new BadInputException(host.hostname() + ": the kernel command line holds '{{', which Pixiecore cannot pass on");
        }
        return new PixiecoreBoot(kernel, initrd, cmdline);
    }

    /** iPXE's image options: these take a value, the others are flags. */
    private static final java.util.Set<String> VALUED = java.util.Set.of("--name", "-n", "--timeout", "-t");

    /** An iPXE command, its options dropped, without the '|| goto ...' or '&& ...' that follows it. */
    private static List<String> commandWords(String line) {
        String text = line.strip();
        if (text.startsWith("#") || text.startsWith(":")) return List.of();
        for (String op : new String[] {"||", "&&"}) {
            int at = text.indexOf(op);
            if (at >= 0) text = text.substring(0, at).strip();
        }
        List<String> words = new ArrayList<>();
        String[] split = text.split("\\s+");
        boolean inOptions = true;
        for (int i = 0; i < split.length; i++) {
            String w = split[i];
            if (w.isEmpty()) continue;
            if (!words.isEmpty() && inOptions && w.startsWith("-")) {
                if (VALUED.contains(w)) i++; // --name linux: the value goes too
                continue;
            }
            if (!words.isEmpty()) inOptions = false;
            words.add(w);
        }
        return words;
    }

    private static String absolute(String baseUrl, String url) {
        java.net.URI u = java.net.URI.create(url);
        if (u.isAbsolute()) return url;
        String base = baseUrl.endsWith("/") ? baseUrl : baseUrl + "/";
        return java.net.URI.create(base).resolve(u).toString();
    }

    @Override
    public String config(Host host, Site site, String file, String baseUrl, String token) {
        if (file.equals(Kind.DEPLOY.label)) {
            Site.Os os = host.provisioning() == null || host.provisioning().os() == null ? null
                    : required(site).os().get(host.provisioning().os());
            // The agent asks every host; one that installs with an installer has nothing to deploy.
            if (os == null || !os.hasImage()) {
                return "# " + host.hostname() + " installs with an installer: no image to deploy.\nMETAL_IMAGE_URL=''\n";
            }
            return renderer.render(Kind.DEPLOY, host, site, options(baseUrl)).get("deploy");
        }
        for (Kind kind : CONFIG_KINDS) {
            Map<String, String> files = renderer.render(kind, host, required(site), options(baseUrl));
            if (files.containsKey(file)) return files.get(file);
            if (kind.label.equals(file) && files.size() == 1) return files.values().iterator().next();
        }
        return null;
    }

    private static Site required(Site site) {
        if (site == null) throw new ConflictException("no site plan; load one with 'metal site set FILE'");
        return site;
    }

    private static Renderer.Options options(String baseUrl) {
        return new Renderer.Options(null, baseUrl, false);
    }
}

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

    @Override
    public PixiecoreBoot pixiecore(Host host, Site site, String baseUrl, String token) {
        String script = ipxeScript(host, site, baseUrl, token);
        String kernel = null;
        String cmdline = "";
        List<String> initrd = new ArrayList<>();
        for (String line : script.split("\n")) {
            List<String> words = commandWords(line);
            if (words.isEmpty()) continue;
            if (words.get(0).equals("kernel") && words.size() > 1) {
                kernel = words.get(1);
                cmdline = String.join(" ", words.subList(2, words.size()));
            } else if (words.get(0).equals("initrd") && words.size() > 1) {
                initrd.add(words.get(1));
            }
        }
        if (kernel == null) throw new BadInputException(host.hostname() + ": the iPXE script names no kernel");
        return new PixiecoreBoot(kernel, initrd, cmdline);
    }

    /** An iPXE command without its --options and without the '|| goto ...' that follows it. */
    private static List<String> commandWords(String line) {
        String text = line.strip();
        int or = text.indexOf("||");
        if (or >= 0) text = text.substring(0, or).strip();
        List<String> words = new ArrayList<>();
        for (String w : text.split("\\s+")) {
            if (w.isEmpty() || (words.size() >= 1 && words.size() < 2 && w.startsWith("--"))) continue;
            words.add(w);
        }
        return words;
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

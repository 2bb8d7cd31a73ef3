package dev.metal.workflow;

import dev.metal.model.BadInputException;
import dev.metal.model.ConflictException;
import dev.metal.model.Host;
import dev.metal.model.HostState;
import dev.metal.model.NotFoundException;
import dev.metal.model.Site;
import dev.metal.model.SystemicException;
import dev.metal.render.Allocator;
import dev.metal.render.Renderer;
import dev.metal.render.SitePlans;
import dev.metal.state.HostQuery;
import dev.metal.state.Store;
import dev.metal.state.Transaction;
import dev.metal.util.Log;
import dev.metal.util.Parallel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What 'metal render' does: allocate missing addresses, render, and write the files (mode
 * 0600, they may hold a token).
 *
 * Tokens: rendering never issues one; only each attempt of 'metal provision' does, and a
 * token issued by anything else would be replaced before it could work. Files written with
 * --out for a host in a provisioning carry that attempt's token; for any other host they
 * carry {@link Renderer#NO_TOKEN}, which says so. Output to the terminal never carries a
 * token: it shows {@code ****} in its place.
 */
public final class RenderService {
    private static final java.nio.file.attribute.FileAttribute<?> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private final Store store;
    private final Renderer renderer;
    private final Log log;

    public RenderService(Store store, Path templatesDir, Log log) {
        this.store = store;
        this.renderer = new Renderer(templatesDir);
        this.log = log;
    }

    /** @param target a host name, a switch name (frr), or null for all */
    public record Request(Renderer.Kind kind, String target, Path outDir, String os, String bootUrl) {}

    /** The files by target ("" for site-wide DHCP), the files written, and the targets that failed. */
    public record Outcome(Renderer.Kind kind, Map<String, Map<String, String>> files, List<String> written,
                          List<String> failures, List<String> skipped) {}

    public Outcome render(Request req) {
        if (req.bootUrl() != null && !SitePlans.isBootUrl(req.bootUrl())) {
            throw new BadInputException("--boot-url must be an http:// or https:// URL");
        }
        boolean all = req.target() == null;
        if (all && req.outDir() == null) throw new BadInputException("--all needs --out DIR");
        boolean real = req.outDir() != null;
        Renderer.Options options = new Renderer.Options(req.os(), req.bootUrl(), !real);
        Outcome outcome = store.update(tx -> {
            Site site = tx.site();
            if (site == null) throw new ConflictException("no site plan yet; load one with 'metal site set FILE'");
            if (req.os() != null && !site.os().containsKey(req.os())) {
                throw new BadInputException("OS " + req.os() + " is not in the site plan's catalog ("
                        + String.join(", ", site.os().keySet()) + ")");
            }
            allocate(tx, site, all ? null : req.target());
            Map<String, Map<String, String>> files = new LinkedHashMap<>();
            List<String> failures = new ArrayList<>();
            List<String> skipped = new ArrayList<>();
            if (!all) {
                Host h = tx.host(req.target());
                if (h == null) {
                    Map<String, String> sw = req.kind() == Renderer.Kind.FRR ? renderer.renderSwitch(req.target(), site) : null;
                    if (sw == null) throw new NotFoundException("unknown host " + req.target());
                    files.put(req.target(), sw);
                } else {
                    files.put(h.hostname(), renderer.render(req.kind(), h, site, forHost(options, h)));
                }
            } else if (req.kind() == Renderer.Kind.DHCP) {
                List<Host> placed = new ArrayList<>();
                for (Host h : tx.hosts(HostQuery.all())) {
                    if (site.rack(h.rack()) == null || !h.hasSiteAddresses()) {
                        failures.add(h.hostname() + ": rack " + h.rack() + " has no addresses in the site plan");
                    } else {
                        placed.add(h);
                        if (h.managementMac(site) == null) {
                            failures.add(h.unknownManagementMac(site) + "; only its BMC is reserved");
                        }
                    }
                }
                files.put("", renderer.dhcp(placed, site));
            } else {
                // Rendering is pure and uses both cores.
                // A host's files come from its profile match; --all passes over hosts without one.
                List<Host> targets = new ArrayList<>();
                for (Host h : tx.hosts(HostQuery.all())) {
                    if (h.profile() == null) {
                        skipped.add(h.hostname());
                        continue;
                    }
                    targets.add(h);
                }
                int cores = Runtime.getRuntime().availableProcessors();
                for (Rendered r : Parallel.map(targets, cores, "metal-render", h -> render(renderer, req, h, site, options))) {
                    if (r.failure() != null) failures.add(r.failure());
                    else files.put(r.hostname(), r.files());
                }
                if (req.kind() == Renderer.Kind.FRR) {
                    for (String sw : Renderer.switches(site)) files.put(sw, renderer.renderSwitch(sw, site));
                }
            }
            return new Outcome(req.kind(), files, List.of(), failures, skipped);
        });
        if (!real) return outcome;
        List<String> written = write(req.outDir(), outcome.files(), all);
        return new Outcome(outcome.kind(), outcome.files(), written, outcome.failures(), outcome.skipped());
    }

    /** One host's files, or why they could not be rendered. */
    private record Rendered(String hostname, Map<String, String> files, String failure) {}

    private static Rendered render(Renderer renderer, Request req, Host h, Site site, Renderer.Options options) {
        try {
            return new Rendered(h.hostname(), renderer.render(req.kind(), h, site, forHost(options, h)), null);
        } catch (BadInputException e) {
            return new Rendered(h.hostname(), null, e.getMessage());
        }
    }

    /** Gives every host in the site plan its addresses; a single target must be placeable. */
    private static void allocate(Transaction tx, Site site, String target) {
        Allocator.Outcome a = SiteService.allocate(tx, site);
        if (target != null) {
            for (String p : a.problems()) if (p.startsWith(target + ": ")) throw new BadInputException(p);
        }
    }

    /** Files for a host in a provisioning carry its attempt's token; any other host's say it has none. */
    private static Renderer.Options forHost(Renderer.Options options, Host h) {
        if (options.maskToken() || provisioningToken(h)) return options;
        return new Renderer.Options(options.os(), options.bootUrl(), false, true);
    }

    private static boolean provisioningToken(Host h) {
        return h.state() == HostState.PROVISIONING && h.provisioning() != null && h.provisioning().token() != null;
    }

    /** Single target: DIR/FILE. --all: DIR/TARGET/FILE, and site-wide DHCP files in DIR. */
    private List<String> write(Path dir, Map<String, Map<String, String>> files, boolean all) {
        List<String> written = java.util.Collections.synchronizedList(new ArrayList<>());
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new SystemicException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        files.entrySet().parallelStream().forEach(t -> {
            Path base = all && !t.getKey().isEmpty() ? dir.resolve(t.getKey()) : dir;
            try {
                Files.createDirectories(base);
                for (Map.Entry<String, String> f : t.getValue().entrySet()) {
                    Path target = base.resolve(f.getKey());
                    writePrivate(target, f.getValue());
                    written.add(target.toString());
                }
            } catch (IOException e) {
                throw new SystemicException("cannot write rendered files in " + base + ": " + e.getMessage(), e);
            }
        });
        log.info("wrote " + written.size() + " files in " + dir);
        List<String> sorted = new ArrayList<>(written);
        java.util.Collections.sort(sorted);
        return sorted;
    }

    /** Owner-only from the first byte, replaced atomically: a reader never sees half a file. */
    static void writePrivate(Path target, String content) throws IOException {
        Path temp = target.resolveSibling("." + target.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        try {
            try (var ch = Files.newByteChannel(temp, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    OWNER_ONLY)) {
                ch.write(java.nio.ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}

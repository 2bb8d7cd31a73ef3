package dev.metal.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metal.model.Host;
import dev.metal.model.Site;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every kind against its golden files in src/test/resources/golden/render/KIND/TARGET/FILE, so that
 * a template change shows up as a readable diff. Regenerate with -Dmetal.golden.update=true.
 */
class RenderGoldenTest {
    static final Path GOLDEN = Path.of(System.getProperty("metal.basedir", "."))
            .resolve("src/test/resources/golden/render");

    /** Everything rendered from the fixture: KIND/TARGET/FILE to content. */
    static Map<String, String> renderAll() {
        Site site = RenderFixture.site();
        // The fourth host has the longest name a rack CSV takes: its BMC reservation gets no DNS name.
        List<Host> hosts = new ArrayList<>(List.of(RenderFixture.host("r01", 1), RenderFixture.host("r01", 2),
                RenderFixture.host("r02", 1), RenderFixture.host("r02", 2, SiteVariants.label("r02-s02"))));
        Allocator.Outcome a = Allocator.allocate(site, hosts);
        hosts.replaceAll(h -> RenderFixture.withToken(h.withAddresses(a.changed().get(h.hostname())),
                "golden-token-" + h.hostname()));
        Renderer r = new Renderer((Path) null);
        Map<String, String> out = new LinkedHashMap<>();
        Host h = hosts.get(0);
        for (Renderer.Kind k : Renderer.Kind.values()) {
            if (k == Renderer.Kind.DHCP || k == Renderer.Kind.DEPLOY) continue;
            r.render(k, h, site, Renderer.Options.REAL).forEach((f, c) -> out.put(k.label + "/" + h.hostname() + "/" + f, c));
        }
        r.dhcp(hosts, site).forEach((f, c) -> out.put("dhcp/all/" + f, c));
        // The deploy description is for an image OS, which the sample plan only shows in a comment.
        r.render(Renderer.Kind.DEPLOY, h, withImageOs(site), new Renderer.Options("lab-image", null, false))
                .forEach((f, c) -> out.put("deploy/" + h.hostname() + "/" + f, c));
        // The same plan without SSH keys, as the lab's own is: the files leave the keys out.
        Host keyless = hosts.get(3);
        for (Renderer.Kind k : List.of(Renderer.Kind.PRESEED, Renderer.Kind.CLOUD_INIT)) {
            r.render(k, keyless, withoutSshKeys(site), Renderer.Options.REAL)
                    .forEach((f, c) -> out.put(k.label + "/" + keyless.hostname() + "/" + f, c));
        }
        for (String sw : List.of("spine01", "r02-tor")) {
            r.renderSwitch(sw, site).forEach((f, c) -> out.put("frr/" + sw + "/" + f, c));
        }
        return out;
    }

    static Site withImageOs(Site s) {
        Map<String, Site.Os> os = new LinkedHashMap<>(s.os());
        os.put("lab-image", new Site.Os("/files/agent/vmlinuz", "/files/agent/initrd", "console=ttyS0",
                "lab-image.raw.xz", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", 2, null));
        return new Site(s.name(), s.domain(), s.bootUrl(), s.dns(), s.sshKeys(), s.nics(), s.firstHost(), s.asn(),
                s.fabric(), s.racks(), os);
    }

    static Site withoutSshKeys(Site s) {
        return new Site(s.name(), s.domain(), s.bootUrl(), s.dns(), List.of(), s.nics(), s.firstHost(), s.asn(),
                s.fabric(), s.racks(), s.os());
    }

    @Test
    void everyKindMatchesItsGoldenFiles() throws IOException {
        Map<String, String> rendered = renderAll();
        if (Boolean.getBoolean("metal.golden.update")) {
            for (Map.Entry<String, String> e : rendered.entrySet()) {
                Path p = GOLDEN.resolve(e.getKey());
                Files.createDirectories(p.getParent());
                Files.writeString(p, e.getValue(), StandardCharsets.UTF_8);
            }
        }
        TreeSet<String> onDisk = new TreeSet<>();
        try (Stream<Path> s = Files.walk(GOLDEN)) {
            s.filter(Files::isRegularFile).forEach(p -> onDisk.add(GOLDEN.relativize(p).toString()));
        }
        assertEquals(onDisk, new TreeSet<>(rendered.keySet()), "golden files and rendered files differ in names");
        for (Map.Entry<String, String> e : rendered.entrySet()) {
            assertEquals(Files.readString(GOLDEN.resolve(e.getKey()), StandardCharsets.UTF_8), e.getValue(), e.getKey());
        }
        for (Renderer.Kind k : Renderer.Kind.values()) {
            assertTrue(onDisk.stream().anyMatch(n -> n.startsWith(k.label + "/")), "no golden file for " + k);
        }
    }

    @Test
    void renderingAgainGivesTheSameFiles() {
        assertEquals(renderAll(), renderAll());
    }
}

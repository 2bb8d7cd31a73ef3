package dev.metal.boot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.metal.cli.CliRun;
import dev.metal.model.Host;
import dev.metal.model.HostState;
import dev.metal.model.Provisioning;
import dev.metal.model.Secret;
import dev.metal.provision.Fleet;
import dev.metal.render.RenderFixture;
import dev.metal.state.Store;
import dev.metal.state.Stores;
import dev.metal.util.Json;
import dev.metal.util.Log;
import dev.metal.workflow.StoreBootBackend;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pixiecore's API mode against the boot server with the files metal renders: the answer is
 * read the way Pixiecore reads it (its JSON fields; kernel and initrd URLs made absolute
 * against the API URL, then fetched with GET, which must answer 200; the command line passed
 * to the kernel as it is, after Pixiecore's template step), and every URL in it must work.
 */
class PixiecoreApiTest {
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dir;

    @Test
    void theAnswerCarriesRealUrlsThatPixiecoreCanFetch() throws Exception {
        Path state = dir.resolve("state.json");
        Path files = dir.resolve("files");
        Files.createDirectories(files.resolve("debian"));
        byte[] linux = Fleet.bytes(300_000);
        byte[] initrd = Fleet.bytes(120_000);
        Files.write(files.resolve("debian/linux"), linux);
        Files.write(files.resolve("debian/initrd.gz"), initrd);
        RenderFixture.seed(state, RenderFixture.host("r01", 1), RenderFixture.host("r01", 2));
        Store store = Stores.open(state.toString(), "test", Clock.systemUTC());
        try (BootServer server = new BootServer(new StoreBootBackend(store), new RenderedBootContent(null), files, null,
                BootServer.Limits.DEFAULT, Log.stderr()).start(new InetSocketAddress("127.0.0.1", 0))) {
            String base = server.baseUrl();
            // The sample site plan, with its OS served by this server.
            String site = Files.readString(RenderFixture.sampleSite())
                    .replaceAll("kernel: \\S+", "kernel: " + base + "/files/debian/linux")
                    .replaceAll("initrd: \\S+", "initrd: " + base + "/files/debian/initrd.gz")
                    .replaceAll("boot_url: \\S+", "boot_url: " + base);
            Path sitePlan = dir.resolve("site.yaml");
            Files.writeString(sitePlan, site);
            CliRun set = CliRun.metal(state, "site", "set", sitePlan.toString());
            assertEquals(0, set.exitCode, set.toString());
            String token = Secret.randomToken().reference();
            store.update(tx -> {
                Host h = tx.host("r01-s01");
                for (HostState s : new HostState[] {HostState.DISCOVERED, HostState.INVENTORIED, HostState.READY,
                        HostState.PROVISIONING}) {
                    h = h.moveTo(s, "test", tx.now());
                }
                tx.put(h.withProvisioning(new Provisioning("req-1", "debian-12", Secret.of(token), tx.now(), null, 1,
                        null)), "provision-claimed");
                return null;
            });
            String mac = store.host("r01-s01").mgmtMac();

            // Pixiecore: GET <api>/v1/boot/<mac>; a non-200 answer means "do not boot this machine".
            String api = base;
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(api + "/v1/boot/" + mac)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            JsonNode answer = Json.mapper().readTree(r.body());
            Set<String> fields = Set.of("kernel", "initrd", "cmdline", "message", "ipxe-script");
            for (Iterator<String> it = answer.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                assertTrue(fields.contains(f), "Pixiecore does not read " + f);
            }
            URI prefix = URI.create(api + "/v1/");
            URI kernel = prefix.resolve(answer.get("kernel").asText());
            assertEquals(URI.create(base + "/files/debian/linux"), kernel);
            assertArrayEquals(linux, fetch(kernel));
            List<URI> initrds = new ArrayList<>();
            answer.get("initrd").forEach(i -> initrds.add(prefix.resolve(i.asText())));
            assertEquals(List.of(URI.create(base + "/files/debian/initrd.gz")), initrds);
            assertArrayEquals(initrd, fetch(initrds.get(0)));

            String cmdline = answer.get("cmdline").asText();
            assertFalse(cmdline.contains("{{"), "Pixiecore reads the command line as a Go template: " + cmdline);
            assertFalse(cmdline.contains("/files/debian/linux") || cmdline.startsWith("http"), cmdline);
            assertFalse(cmdline.contains("--name") || cmdline.contains("initrd="), cmdline);
            assertTrue(cmdline.startsWith("auto=true priority=critical"), cmdline);
            assertTrue(cmdline.contains("BOOTIF=01-" + mac.replace(':', '-')), cmdline);
            String preseed = null;
            for (String arg : cmdline.split(" ")) if (arg.startsWith("url=")) preseed = arg.substring(4);
            assertEquals(base + "/config/r01-s01/preseed.cfg?token=" + token, preseed);
            String config = new String(fetch(URI.create(preseed)));
            assertTrue(config.contains("/phone-home/r01-s01?token=" + token), config);

            // A host that is not provisioning gets a 404, and Pixiecore leaves it to boot from its disk.
            String other = store.host("r01-s02").mgmtMac();
            assertEquals(404, HTTP.send(HttpRequest.newBuilder(URI.create(api + "/v1/boot/" + other)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode());
        }
    }

    private static byte[] fetch(URI uri) throws Exception {
        HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode(), uri.toString());
        return r.body();
    }
}

package dev.metal.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metal.bmc.BootDevice;
import dev.metal.boot.BootContent;
import dev.metal.boot.BootServer;
import dev.metal.model.Host;
import dev.metal.model.HostState;
import dev.metal.model.Provisioning;
import dev.metal.model.Secret;
import dev.metal.model.Site;
import dev.metal.provision.Fleet;
import dev.metal.provision.TestBootContent;
import dev.metal.util.Log;
import dev.metal.workflow.StoreBootBackend;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MachineTest {
    @TempDir
    Path dir;

    private BootServer serve(Fleet fleet, BootContent content) {
        return new BootServer(new StoreBootBackend(fleet.store), content, fleet.files, null, 4, Log.stderr())
                .start(new InetSocketAddress("127.0.0.1", fleet.port));
    }

    private static void claim(Fleet fleet, String name, String token) {
        fleet.store.update(tx -> {
            Host h = tx.host(name);
            tx.put(h.moveTo(HostState.PROVISIONING, "test", tx.now()).withProvisioning(
                    new Provisioning("p-test", "debian-12", Secret.of(token), tx.now(), null, 1, null)), "claimed");
            return null;
        });
    }

    @Test
    void pxeBootFetchesWhatTheScriptNamesAndPhonesHome() throws Exception {
        Fleet fleet = new Fleet(dir).host("web-01", "r1", 1, "web", 1);
        claim(fleet, "web-01", Secret.randomToken().reference());
        try (BootServer server = serve(fleet, new TestBootContent())) {
            Machine m = fleet.bmcs.machine("web-01");
            m.powerOn(BootDevice.PXE);
            assertEquals(Machine.Status.INSTALLED, m.await(Duration.ofSeconds(10), Machine.Status.INSTALLED,
                    Machine.Status.FAILED), m.toString());
            String base = server.baseUrl();
            assertEquals(List.of(base + "/ipxe", base + "/files/debian/linux", base + "/config/web-01/preseed",
                    base + "/files/debian/initrd.gz"), m.fetched());
            assertNotNull(fleet.get("web-01").provisioning().phonedHomeAt());
        }
    }

    @Test
    void namedImagesAsTheRendererWritesThemAreFetchedByTheirUrl() throws Exception {
        Fleet fleet = new Fleet(dir).host("web-01", "r1", 1, "web", 1);
        claim(fleet, "web-01", Secret.randomToken().reference());
        BootContent named = new TestBootContent() {
            @Override
            public String ipxeScript(Host host, Site site, String baseUrl, String token) {
                // "--name linux" takes a value: the URL is the word after it.
                return super.ipxeScript(host, site, baseUrl, token)
                        .replace("kernel ", "kernel --name linux ").replace("initrd ", "initrd -n initrd --autofree ");
            }
        };
        try (BootServer server = serve(fleet, named)) {
            Machine m = fleet.bmcs.machine("web-01");
            m.powerOn(BootDevice.PXE);
            assertEquals(Machine.Status.INSTALLED, m.await(Duration.ofSeconds(10), Machine.Status.INSTALLED,
                    Machine.Status.FAILED), m.toString());
            String base = server.baseUrl();
            assertEquals(List.of(base + "/ipxe", base + "/files/debian/linux", base + "/config/web-01/preseed",
                    base + "/files/debian/initrd.gz"), m.fetched());
        }
    }

    @Test
    void faultsAndRefusalsStopTheBoot() throws Exception {
        Fleet fleet = new Fleet(dir)
                .host("web-01", "r1", 1, "web", 1, EnumSet.of(Machine.Fault.INSTALL_FAILS))
                .host("web-02", "r1", 2, "web", 2, EnumSet.of(Machine.Fault.NO_PHONE_HOME))
                .host("web-03", "r1", 3, "web", 3);
        claim(fleet, "web-01", Secret.randomToken().reference());
        claim(fleet, "web-02", Secret.randomToken().reference());
        try (BootServer server = serve(fleet, new TestBootContent())) {
            Machine failing = fleet.bmcs.machine("web-01");
            failing.powerOn(BootDevice.PXE);
            assertEquals(Machine.Status.FAILED, failing.await(Duration.ofSeconds(10), Machine.Status.FAILED,
                    Machine.Status.INSTALLED));
            assertEquals("install failed", failing.detail());

            Machine silent = fleet.bmcs.machine("web-02");
            silent.powerOn(BootDevice.PXE);
            assertEquals(Machine.Status.INSTALLED, silent.await(Duration.ofSeconds(10), Machine.Status.INSTALLED,
                    Machine.Status.FAILED));
            assertNull(fleet.get("web-02").provisioning().phonedHomeAt());

            // Not provisioning: the server sends the local-disk script.
            Machine ready = fleet.bmcs.machine("web-03");
            ready.powerOn(BootDevice.PXE);
            assertEquals(Machine.Status.RUNNING, ready.await(Duration.ofSeconds(10), Machine.Status.RUNNING,
                    Machine.Status.FAILED), ready.toString());
        }
        // Nobody answers: the boot fails, it does not hang.
        Machine orphan = new Machine(Fleet.mac(9), URI.create("http://127.0.0.1:" + Fleet.freePort()), Set.of(),
                Duration.ofMillis(10));
        orphan.powerOn(BootDevice.PXE);
        assertEquals(Machine.Status.FAILED, orphan.await(Duration.ofSeconds(10), Machine.Status.FAILED));
        assertTrue(orphan.detail().startsWith("boot failed"), orphan.detail());
    }

    @Test
    void exitOneInTheScriptIsABootFailure() throws Exception {
        Fleet fleet = new Fleet(dir).host("web-01", "r1", 1, "web", 1);
        claim(fleet, "web-01", Secret.randomToken().reference());
        BootContent broken = new TestBootContent() {
            @Override
            public String ipxeScript(Host host, Site site, String baseUrl, String token) {
                return "#!ipxe\necho no image for this host\nexit 1\n";
            }
        };
        try (BootServer server = serve(fleet, broken)) {
            Machine m = fleet.bmcs.machine("web-01");
            m.powerOn(BootDevice.PXE);
            assertEquals(Machine.Status.FAILED, m.await(Duration.ofSeconds(10), Machine.Status.FAILED));
            assertEquals("boot failed: script exit 1", m.detail());
            m.powerOff();
            assertEquals(Machine.Status.OFF, m.status());
            m.powerOn(BootDevice.DISK);
            assertEquals(Machine.Status.RUNNING, m.status());
        }
    }
}

package dev.metal.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metal.bmc.BmcProvider;
import dev.metal.bmc.BmcSession;
import dev.metal.bmc.Bmcs;
import dev.metal.bmc.BootDevice;
import dev.metal.bmc.BootOverride;
import dev.metal.bmc.CertificatePins;
import dev.metal.bmc.IpmiProvider;
import dev.metal.bmc.PowerAction;
import dev.metal.bmc.PowerState;
import dev.metal.bmc.Protocol;
import dev.metal.ipmi.IpmiSession;
import dev.metal.ipmi.IpmiSim;
import dev.metal.model.Bmc;
import dev.metal.model.Host;
import dev.metal.model.Secret;
import dev.metal.state.JournalQuery;
import dev.metal.state.Store;
import dev.metal.state.Stores;
import dev.metal.util.Log;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How --via auto chooses and falls back, with a stand-in for the Redfish side (which
 * lands separately) and a real simulated BMC for IPMI.
 */
class PowerServiceTest {
    @TempDir
    static Path simDir;
    static IpmiSim sim;

    @TempDir
    Path dir;
    Store store;

    @BeforeAll
    static void start() {
        sim = IpmiSim.start(simDir.resolve("bmc"));
    }

    @AfterAll
    static void stop() {
        if (sim != null) sim.close();
    }

    @BeforeEach
    void host() {
        sim.process().setPower(false);
        store = Stores.open(dir.resolve("state.json").toString(), "test", Clock.systemUTC());
        Bmc bmc = new Bmc("0c:c4:7a:00:00:01", "127.0.0.1", IpmiSim.USER, Secret.of(IpmiSim.PASSWORD), sim.port(), null);
        store.update(tx -> {
            tx.put(Host.imported("h1", "r1", 1, bmc, "0c:c4:7a:01:00:01", null, List.of(), Instant.now()), "imported");
            return null;
        });
    }

    private PowerService service(Redfish redfish) {
        PowerService.Settings s = new PowerService.Settings(Protocol.AUTO, 4, Duration.ofMillis(50),
                Duration.ofSeconds(2), Duration.ofMillis(100), false);
        BmcProvider standIn = new BmcProvider() {
            @Override
            public Protocol protocol() {
                return Protocol.REDFISH;
            }

            @Override
            public BmcSession open(Host host, String pin) {
                return redfish.open();
            }
        };
        Bmcs bmcs = new Bmcs(List.of(standIn, new IpmiProvider(IpmiSession.Options.DEFAULT)),
                new CertificatePins((host, fingerprint) -> { }, false), Duration.ofMillis(50), Log.stderr());
        return new PowerService(store, bmcs, s, Log.stderr());
    }

    /** The Redfish side, standing in for a BMC that has one. */
    private interface Redfish {
        BmcSession open();
    }

    @Test
    void autoFallsBackToIpmiWhenRedfishFailsBeforeActing() {
        Redfish noRedfish = () -> {
            throw new IllegalStateException("no Redfish service at https://127.0.0.1");
        };
        PowerService.Outcome o = service(noRedfish).power(HostSelection.named(List.of("h1")), PowerAction.ON).get(0);
        assertEquals("ok", o.result(), o.toString());
        assertEquals(Protocol.IPMI, o.protocol());
        assertTrue(o.notes().get(0).startsWith("redfish failed: no Redfish service"), o.notes().toString());
        assertEquals("on", sim.ipmitoolPower());
        assertTrue(store.journal(JournalQuery.all()).stream().anyMatch(e -> e.event().equals("power on")
                && "ipmi".equals(e.detail().get("protocol"))));
    }

    @Test
    void noFallbackOnceRedfishHasActed() {
        // A Redfish BMC that takes the command but never shows the change: IPMI must not act again.
        Redfish stuck = StuckSession::new;
        int calls = sim.process().chassisLog().size();
        PowerService.Outcome o = service(stuck).power(HostSelection.named(List.of("h1")), PowerAction.ON).get(0);
        assertEquals("failed", o.result(), o.toString());
        assertEquals(Protocol.REDFISH, o.protocol());
        assertTrue(o.error().contains("power still off after 2.0 s (wanted on)"), o.error());
        assertEquals(calls, sim.process().chassisLog().size(), "IPMI was used after Redfish acted");
    }

    @Test
    void aBootOverrideThatDoesNotReadBackFails() {
        Redfish stuck = StuckSession::new;
        PowerService.Outcome o = service(stuck).boot(HostSelection.named(List.of("h1")),
                new BootOverride(BootDevice.PXE, false, true)).get(0);
        assertEquals("failed", o.result(), o.toString());
        assertTrue(o.error().contains("reads back as none, not pxe once uefi"), o.error());
    }

    /** Accepts everything, changes nothing. */
    private static final class StuckSession implements BmcSession {
        @Override
        public PowerState powerState() {
            return PowerState.OFF;
        }

        @Override
        public void power(PowerAction action) {
        }

        @Override
        public BootOverride bootOverride() {
            return new BootOverride(BootDevice.NONE, false, false);
        }

        @Override
        public void setBootOverride(BootOverride override) {
        }

        @Override
        public void close() {
        }
    }
}

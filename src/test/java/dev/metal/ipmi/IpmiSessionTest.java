package dev.metal.ipmi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IpmiSessionTest {
    @TempDir
    static Path dir;
    static IpmiSim sim;

    @BeforeAll
    static void start() {
        sim = IpmiSim.start(dir.resolve("bmc"));
    }

    @AfterAll
    static void stop() {
        if (sim != null) sim.close();
    }

    private IpmiSession open() {
        return IpmiSession.open("127.0.0.1", sim.port(), IpmiSim.USER, IpmiSim.PASSWORD, IpmiSession.Options.DEFAULT);
    }

    @Test
    void powerOnAndOffAsIpmitoolSees() {
        try (IpmiSession s = open()) {
            s.chassisControl(ChassisControl.POWER_UP);
            assertTrue(s.powerOn());
        }
        assertEquals("on", sim.ipmitoolPower());
        try (IpmiSession s = open()) {
            s.chassisControl(ChassisControl.POWER_DOWN);
            assertFalse(s.powerOn());
        }
        assertEquals("off", sim.ipmitoolPower());
    }

    @Test
    void bootFlagsRoundTrip() {
        try (IpmiSession s = open()) {
            s.setBootFlags(new BootFlags(true, false, false, BootFlags.Device.PXE));
            assertEquals(BootFlags.Device.PXE, s.bootFlags().device());
        }
        assertEquals("Force PXE", sim.ipmitoolBootDevice());
        assertEquals("pxe", sim.process().bootDevice());
    }

    @Test
    void wrongPasswordIsAClearErrorAndNotRetried() {
        IpmiException e = assertTimeoutPreemptively(BOUND, () -> assertThrows(IpmiException.AuthenticationFailed.class,
                () -> IpmiSession.open("127.0.0.1", sim.port(), IpmiSim.USER, "wrong", IpmiSession.Options.DEFAULT)));
        assertTrue(e.getMessage().contains("refused user 'admin'"), e.getMessage());
        assertFalse(e.getMessage().contains("wrong"), "the password must not show: " + e.getMessage());
    }

    @Test
    void nothingListeningIsAClearErrorInBoundedTime() throws Exception {
        int port = dev.metal.lab.IpmiSimProcess.freeUdpPort();
        IpmiException e = assertTimeoutPreemptively(BOUND, () -> assertThrows(IpmiException.class,
                () -> IpmiSession.open("127.0.0.1", port, IpmiSim.USER, IpmiSim.PASSWORD, FAST)));
        assertTrue(e.getMessage().contains("127.0.0.1:" + port) && e.getMessage().contains("no answer"),
                e.getMessage());
    }

    @Test
    void lostAnswersAreResent() {
        // One answer in four is lost, handshake included: reopening and resending get through.
        try (LossyUdpProxy proxy = new LossyUdpProxy(sim.port(), n -> n % 4 == 2)) {
            assertTimeoutPreemptively(BOUND, () -> {
                try (IpmiSession s = IpmiSession.open("127.0.0.1", proxy.port(), IpmiSim.USER, IpmiSim.PASSWORD,
                        FAST)) {
                    s.chassisControl(ChassisControl.POWER_UP);
                    assertTrue(s.powerOn());
                    assertTrue(s.powerOn());
                }
            });
            assertTrue(proxy.dropped() > 0);
        }
        assertEquals("on", sim.ipmitoolPower());
    }

    @Test
    void aBmcThatStopsAnsweringIsAClearErrorInBoundedTime() {
        // The session opens (4 answers: open session, RAKP 2, RAKP 4, privilege), then silence.
        try (LossyUdpProxy proxy = new LossyUdpProxy(sim.port(), n -> n > 4);
             IpmiSession s = IpmiSession.open("127.0.0.1", proxy.port(), IpmiSim.USER, IpmiSim.PASSWORD, FAST)) {
            IpmiException e = assertTimeoutPreemptively(BOUND, () -> assertThrows(IpmiException.class, s::powerOn));
            assertTrue(e.getMessage().contains("Get Chassis Status failed"), e.getMessage());
        }
    }

    static final java.time.Duration BOUND = java.time.Duration.ofSeconds(20);
    static final IpmiSession.Options FAST = new IpmiSession.Options(java.time.Duration.ofMillis(300), 3);
}

package dev.metal.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostStateTest {
    final Instant now = Instant.parse("2026-01-01T00:00:00Z");
    final Host host = Host.imported("n1", "r1", 1, new Bmc("02:00:00:00:00:01", null, "admin", Secret.of("pw"), 623, null),
            "02:00:00:00:00:02", null, List.of(), now);

    @Test
    void theHappyPathRunsFromImportedToActive() {
        Host h = host;
        for (HostState s : List.of(HostState.DISCOVERED, HostState.INVENTORIED, HostState.READY,
                HostState.PROVISIONING, HostState.ACTIVE)) {
            h = h.moveTo(s, null, now);
        }
        assertEquals(HostState.ACTIVE, h.state());
    }

    @Test
    void forbiddenMovesNameHostAndStates() {
        TransitionException e = assertThrows(TransitionException.class,
                () -> host.moveTo(HostState.PROVISIONING, null, now));
        assertEquals("n1: cannot go from imported to provisioning (allowed from imported: discovered, quarantined)",
                e.getMessage());
    }

    @Test
    void anActiveHostOnlyLeavesByQuarantineOrRelease() {
        for (HostState s : HostState.values()) {
            boolean allowed = HostState.ACTIVE.canMoveTo(s);
            assertEquals(s == HostState.QUARANTINED || s == HostState.READY, allowed, s.toString());
        }
        assertFalse(HostState.IMPORTED.canMoveTo(HostState.ACTIVE));
        assertTrue(HostState.PROVISIONING.canMoveTo(HostState.QUARANTINED));
        assertTrue(HostState.QUARANTINED.canMoveTo(HostState.READY));
    }

    @Test
    void statesParseFromWhatUsersType() {
        assertEquals(HostState.READY, HostState.parse(" Ready "));
        assertThrows(IllegalArgumentException.class, () -> HostState.parse("sleepy"));
    }

    @Test
    void macsAndAddressesNormalize() {
        assertEquals("0c:c4:7a:aa:bb:cc", Macs.normalize("0CC47AAABBCC"));
        assertEquals("0c:c4:7a:aa:bb:cc", Macs.normalize("0cc4.7aaa.bbcc"));
        assertEquals("0c:c4:7a:0a:bb:cc", Macs.normalize("0c-c4-7a-a-bb-cc"));
        assertEquals(null, Macs.normalize("50:00:c5:00:12:34:56:78"), "a WWN is not a MAC");
        assertEquals(null, Macs.normalize("Not Available"));
        assertEquals(null, Macs.normalize("00:00:00:00:00:00"));
        assertEquals(null, BmcAddress.problem("bmc-1.example.net:8443"));
        assertEquals(null, BmcAddress.problem("http://127.0.0.1:8000"));
        assertEquals(null, BmcAddress.problem("[fd00::1]:443"));
        assertEquals(null, BmcAddress.problem("fd00::1"));
        assertEquals("only http:// and https:// URLs are allowed", BmcAddress.problem("ftp://x"));
        assertEquals("https://10.0.0.1", BmcAddress.baseUri("10.0.0.1").toString());
        assertEquals("http://127.0.0.1:8000", BmcAddress.baseUri("http://127.0.0.1:8000/redfish/v1").toString());
        assertEquals("fd00::1", BmcAddress.host("[fd00::1]:443"));
    }
}

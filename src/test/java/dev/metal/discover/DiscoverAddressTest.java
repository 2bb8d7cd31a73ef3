package dev.metal.discover;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** What 'discover --scheme S --port N' stores for a leased IP. */
class DiscoverAddressTest {
    @Test
    void theBareIpForTheDefaultsElseAUrl() {
        assertEquals("10.0.0.5", Discoverer.address("10.0.0.5", "https", 0));
        assertEquals("10.0.0.5", Discoverer.address("10.0.0.5", "https", 443));
        assertEquals("https://10.0.0.5:8443", Discoverer.address("10.0.0.5", "https", 8443));
        assertEquals("http://10.0.0.5", Discoverer.address("10.0.0.5", "http", 0));
        assertEquals("http://10.0.0.5:8000", Discoverer.address("10.0.0.5", "http", 8000));
        assertEquals("https://[fd00::5]:8443", Discoverer.address("fd00::5", "https", 8443));
    }
}

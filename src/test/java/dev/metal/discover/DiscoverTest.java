package dev.metal.discover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metal.cli.CliRun;
import dev.metal.lab.Fleet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The three lease file formats as their servers write them, and metal discover over them. */
class DiscoverTest {
    @TempDir
    Path dir;

    static final String DNSMASQ = """
            1763745600 02:00:00:00:00:01 10.0.0.11 bmc-a 01:02:00:00:00:00:01
            0 02-00-00-00-00-02 10.0.0.12 * *
            1763745000 02:00:00:00:00:01 10.0.0.99 bmc-a *
            duid 00:01:00:01:2c:4e:11:22:52:54:00:aa:bb:cc
            1763745600 1234567 fd00::5 * 00:01:00:01:2c:4e:11:22:52:54:00:aa:bb:cc
            """;

    static final String ISC = """
            # The format of this file is documented in the dhcpd.leases(5) manual page.
            # This lease file was written by isc-dhcp-4.4.3
            authoring-byte-order little-endian;
            server-duid "\\000\\001\\000\\001";

            lease 10.0.0.50 {
              starts 5 2026/11/20 10:00:00;
              ends 5 2026/11/20 22:00:00;
              binding state active;
              next binding state free;
              hardware ethernet 02:00:00:00:00:01;
              client-hostname "bmc-a";
            }
            lease 10.0.0.11 {
              starts 6 2026/11/21 10:00:00;
              ends 6 2026/11/21 22:00:00;
              cltt 6 2026/11/21 10:00:00;
              binding state active;
              next binding state free;
              rewind binding state free;
              hardware ethernet 02:00:00:00:00:01;
              uid "\\001\\002\\000\\000\\000\\000\\001";
              client-hostname "bmc-a";
            }
            lease 10.0.0.13 {
              starts 6 2026/11/21 10:00:00;
              ends 6 2026/11/21 11:00:00;
              binding state free;
              hardware ethernet 02:00:00:00:00:03;
            }
            """;

    static final String KEA = """
            address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context,pool_id
            10.0.0.11,02:00:00:00:00:01,01:02:00:00:00:00:01,3600,1763745600,1,0,0,bmc-a,0,,0
            10.0.0.12,02:00:00:00:00:02,,3600,1763745600,1,0,0,,0,,0
            10.0.0.13,02:00:00:00:00:03,,3600,1763745600,1,0,0,,2,,0
            """;

    private Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void dnsmasqLatestLeaseWinsAndIpv6IsSkipped() throws Exception {
        Map<String, Leases.Lease> l = Leases.read(write("dnsmasq.leases", DNSMASQ), null).byMac();
        assertEquals(2, l.size());
        assertEquals("10.0.0.11", l.get("02:00:00:00:00:01").ip());
        assertEquals(Instant.ofEpochSecond(1763745600), l.get("02:00:00:00:00:01").expires());
        assertNull(l.get("02:00:00:00:00:02").expires(), "0 means infinite");
        assertEquals(Leases.Format.DNSMASQ, Leases.detect(DNSMASQ));
    }

    @Test
    void iscActiveLeasesNewestWins() throws Exception {
        Map<String, Leases.Lease> l = Leases.read(write("dhcpd.leases", ISC), null).byMac();
        assertEquals("10.0.0.11", l.get("02:00:00:00:00:01").ip());
        assertEquals("bmc-a", l.get("02:00:00:00:00:01").hostname());
        assertNull(l.get("02:00:00:00:00:03"), "a free lease is no address");
        assertEquals(Leases.Format.ISC, Leases.detect(ISC));
    }

    @Test
    void keaMemfileCsv() throws Exception {
        Map<String, Leases.Lease> l = Leases.read(write("kea-leases4.csv", KEA), null).byMac();
        assertEquals("10.0.0.11", l.get("02:00:00:00:00:01").ip());
        assertEquals("10.0.0.12", l.get("02:00:00:00:00:02").ip());
        assertNull(l.get("02:00:00:00:00:03"), "state 2 is expired-reclaimed");
        assertEquals(Leases.Format.KEA, Leases.detect(KEA));
    }

    @Test
    void anUnreadableIscTimeNamesTheFileAndLease() throws Exception {
        Path state = dir.resolve("state.json");
        Path leases = write("dhcpd.leases", ISC.replace("ends 6 2026/11/21 22:00:00", "ends 6 2026/13/45 22:00:00"));
        CliRun run = CliRun.metal(state, "discover", "--leases", leases.toString());
        assertEquals(2, run.exitCode, run.toString());
        assertTrue(run.err.contains(leases + ": lease 10.0.0.11: cannot read 'ends 6 2026/13/45 22:00:00' as a time"),
                run.err);
    }

    @Test
    void leaseTimesPastWhatAnInstantHoldsNameTheFileAndLine() throws Exception {
        Path state = dir.resolve("state.json");
        Path dnsmasq = write("far.leases", "1763745600 02:00:00:00:00:01 10.0.0.11 bmc-1 *\n"
                + "99999999999999999 02:00:00:00:00:02 10.0.0.12 bmc-2 *\n");
        CliRun run = CliRun.metal(state, "discover", "--leases", dnsmasq.toString());
        assertEquals(2, run.exitCode, run.toString());
        assertTrue(run.err.contains(dnsmasq + " line 2: expiry '99999999999999999' is not a time"), run.err);
        Path kea = write("far-kea.csv", "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,"
                + "hostname,state\n10.0.0.11,02:00:00:00:00:01,,3600,99999999999999999,1,0,0,bmc-1,0\n");
        CliRun k = CliRun.metal(state, "discover", "--leases", kea.toString());
        assertEquals(2, k.exitCode, k.toString());
        assertTrue(k.err.contains(kea + " line 2: expire '99999999999999999' is not a time"), k.err);
        Path isc = write("far.dhcpd.leases", ISC.replace("ends 6 2026/11/21 22:00:00", "ends epoch 99999999999999999"));
        CliRun i = CliRun.metal(state, "discover", "--leases", isc.toString());
        assertEquals(2, i.exitCode, i.toString());
        assertTrue(i.err.contains(isc + ": lease 10.0.0.11: cannot read"), i.err);
    }

    @Test
    void unknownFormatIsBadInput() throws Exception {
        Path state = dir.resolve("state.json");
        CliRun run = CliRun.metal(state, "discover", "--leases", write("x.txt", "hello world\n").toString());
        assertEquals(2, run.exitCode, run.toString());
        assertTrue(run.err.contains("not a dnsmasq, ISC dhcpd or Kea lease file"), run.err);
    }

    @Test
    void discoverSetsAddressesAndReportsHostsWithoutLease() throws Exception {
        Path state = dir.resolve("state.json");
        Map<String, String> hosts = new LinkedHashMap<>();
        hosts.put("a", null);
        hosts.put("b", null);
        hosts.put("c", null);
        assertEquals(0, CliRun.metal(state, "import", Fleet.rackCsv(dir, hosts).toString()).exitCode);
        for (String[] f : new String[][] {{"dnsmasq.leases", DNSMASQ}, {"dhcpd.leases", ISC}, {"kea.csv", KEA}}) {
            CliRun run = CliRun.metal(state, "discover", "--leases", write(f[0], f[1]).toString());
            assertEquals(3, run.exitCode, f[0] + ": " + run);
            assertTrue(run.out.contains("no lease"), run.out);
        }
        CliRun show = CliRun.metal(state, "--json", "host", "show", "a");
        assertTrue(show.out.contains("\"10.0.0.11\""), show.out);
        assertTrue(show.out.contains("\"discovered\""), show.out);
        CliRun list = CliRun.metal(state, "host", "list", "--in", "imported");
        assertTrue(list.out.contains("c "), "c never had a lease: " + list.out);
        CliRun forced = CliRun.metal(state, "discover", "--leases", dir.resolve("kea.csv").toString(), "--format", "kea",
                "a", "b");
        assertEquals(0, forced.exitCode, forced.toString());
        assertTrue(forced.out.contains("unchanged"), forced.out);
    }
}

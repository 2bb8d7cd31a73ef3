package dev.metal.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.metal.cli.CliRun;
import dev.metal.lab.Fleet;
import dev.metal.lab.RedfishEmulator;
import dev.metal.state.Stores;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A DIMM pulled and a drive swapped between two scrapes show up in inventory diff; state rules hold. */
class InventoryDiffTest {
    @TempDir
    Path dir;

    @Test
    void dimmGoneAndDriveReplaced() throws Exception {
        try (RedfishEmulator emu = RedfishEmulator.serve(Fleet.mockup("hpe-dl360-ilo"))) {
            Path state = dir.resolve("state.json");
            CliRun.metal(state, "import", Fleet.rackCsv(dir, Fleet.one("h1", emu)).toString());
            assertEquals(0, CliRun.metal(state, "scrape", "h1").exitCode);
            CliRun once = CliRun.metal(state, "inventory", "diff", "h1");
            assertEquals(2, once.exitCode, once.toString());

            String dimm = "/redfish/v1/Systems/1/Memory/proc1dimm1";
            ObjectNode d = emu.resource(dimm);
            ((ObjectNode) d.path("Status")).put("State", "Absent");
            d.put("CapacityMiB", 0);
            emu.put(dimm, d);
            String drive = "/redfish/v1/Chassis/DE00A000/Drives/2556";
            ObjectNode dr = emu.resource(drive);
            dr.put("SerialNumber", "NEWSERIAL1");
            emu.put(drive, dr);

            assertEquals(0, CliRun.metal(state, "scrape", "h1").exitCode);
            CliRun diff = CliRun.metal(state, "inventory", "diff", "h1");
            assertEquals(0, diff.exitCode, diff.toString());
            assertTrue(diff.out.lines().anyMatch(l -> l.contains("dimm") && l.contains("changed")
                    && l.contains("PROC 1 DIMM 1")), diff.out);
            assertTrue(diff.out.lines().anyMatch(l -> l.contains("drive") && l.contains("NEWSERIAL1")), diff.out);
            CliRun json = CliRun.metal(state, "--json", "inventory", "diff", "h1");
            assertTrue(json.out.contains("\"changes\""), json.out);
            CliRun show = CliRun.metal(state, "inventory", "show", "h1");
            assertTrue(show.out.contains("PROC 1 DIMM 1") && show.out.contains("empty"), show.out);
        }
    }

    @Test
    void busyHostsAreRefusedUnlessForced() throws Exception {
        try (RedfishEmulator emu = RedfishEmulator.serve(Fleet.mockup("dmtf-public-localstorage"))) {
            Path state = dir.resolve("state.json");
            CliRun.metal(state, "import", Fleet.rackCsv(dir, Fleet.one("h1", emu)).toString());
            // Put the host in the active state the way provisioning would leave it.
            Stores.open(state.toString(), "test", Clock.systemUTC()).update(tx -> {
                var h = tx.host("h1");
                for (var s : new dev.metal.model.HostState[] {dev.metal.model.HostState.DISCOVERED,
                    dev.metal.model.HostState.INVENTORIED, dev.metal.model.HostState.READY,
                    dev.metal.model.HostState.PROVISIONING, dev.metal.model.HostState.ACTIVE}) {
                    h = h.moveTo(s, "test", tx.now());
                }
                tx.put(h, "test");
                return null;
            });
            CliRun refused = CliRun.metal(state, "scrape", "h1");
            assertEquals(2, refused.exitCode, refused.toString());
            assertTrue(refused.err.contains("h1: active"), refused.err);
            assertEquals(0, emu.requests(), "nothing was sent");
            CliRun all = CliRun.metal(state, "scrape", "--all");
            assertEquals(0, all.exitCode, all.toString());
            assertTrue(all.out.contains("skipped"), all.out);
            CliRun forced = CliRun.metal(state, "scrape", "h1", "--force");
            assertEquals(0, forced.exitCode, forced.toString());
            assertTrue(forced.out.contains("active"), "state kept: " + forced.out);
            assertEquals(0, CliRun.metal(state, "inventory", "show", "h1").exitCode);
        }
    }
}

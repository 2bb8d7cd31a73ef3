package dev.metal.bmc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.metal.lab.LabHardware;
import dev.metal.lab.RedfishEmulator;
import dev.metal.lab.ServerModel;
import dev.metal.model.Bmc;
import dev.metal.model.Host;
import dev.metal.model.Secret;
import dev.metal.redfish.RedfishClient;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A host's console as its BMC keeps it (OpenBMC's HostLogger log service, in pages), read
 * over real HTTP from the lab's emulated BMC: the last lines, also when the log is longer
 * than a page; nothing from a BMC without one.
 */
class RedfishConsoleTest {
    private static Host host(RedfishEmulator bmc) {
        return Host.imported("c1", "r1", 1, new Bmc(LabHardware.bmcMac(1), bmc.address(), "admin", Secret.of("password"),
                623, null), LabHardware.mgmtMac(1), "S1", List.of(), Instant.now());
    }

    private static List<String> tail(RedfishEmulator bmc, int lines) {
        RedfishProvider provider = new RedfishProvider(RedfishClient.Options.defaults(), Clock.systemUTC());
        try (BmcSession session = provider.open(host(bmc), null)) {
            return session.consoleTail(lines);
        }
    }

    @Test
    void theLastLinesOfALogLongerThanAPage() {
        List<String> console = new ArrayList<>();
        for (int i = 1; i <= 250; i++) console.add("line " + i);
        try (RedfishEmulator bmc = RedfishEmulator.builder().resources(LabHardware.tree(ServerModel.ALL.get(0), 1, Set.of()))
                .build()) {
            LabHardware.hostLogger(bmc, () -> console);
            bmc.recordRequests();
            assertEquals(List.of("line 246", "line 247", "line 248", "line 249", "line 250"), tail(bmc, 5));
            assertEquals(1, bmc.recordedRequests().stream().filter(r -> r.contains("$skip=245&$top=5")).count(),
                    bmc.recordedRequests().toString());
            console.subList(3, console.size()).clear();
            assertEquals(List.of("line 2", "line 3"), tail(bmc, 2), "a short log comes whole, on its first page");
        }
    }

    @Test
    void aBmcWithoutAConsoleLogGivesNothing() {
        try (RedfishEmulator bmc = RedfishEmulator.builder().resources(LabHardware.tree(ServerModel.ALL.get(0), 1, Set.of()))
                .build()) {
            assertEquals(List.of(), tail(bmc, 5));
        }
    }
}

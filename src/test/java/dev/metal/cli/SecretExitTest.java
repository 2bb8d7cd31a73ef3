package dev.metal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metal.lab.Fleet;
import dev.metal.lab.RedfishEmulator;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A BMC password that points at an environment variable that is not set, or a file that is
 * not there, is bad input: exit 2, the host and the variable named, no BMC contacted.
 */
class SecretExitTest {
    static final String UNSET = "METAL_TEST_VARIABLE_NOBODY_SETS";

    @TempDir
    Path dir;

    @Test
    void aMissingEnvSecretIsBadInputBeforeAnyBmcIsContacted() throws Exception {
        try (RedfishEmulator bmc = RedfishEmulator.serve(Fleet.mockup("dmtf-public-rackmount1"))) {
            assertTrue(System.getenv(UNSET) == null, UNSET + " must not be set for this test");
            Path state = dir.resolve("state.json");
            Path csv = dir.resolve("rack.csv");
            Files.writeString(csv, "hostname,rack,u,bmc_mac,bmc_address,bmc_user,bmc_password,mgmt_mac\n"
                    + "h1,r1,1,0c:c4:7a:00:00:01," + bmc.address() + ",admin,env:" + UNSET + ",0c:c4:7a:01:00:01\n"
                    + "h2,r1,2,0c:c4:7a:00:00:02," + bmc.address() + ",admin,file:" + dir.resolve("nope")
                    + ",0c:c4:7a:01:00:02\n");
            assertEquals(0, CliRun.metal(state, "import", csv.toString()).exitCode);

            for (String[] command : new String[][] {{"power", "status", "h1"}, {"scrape", "h1"}}) {
                CliRun run = CliRun.metal(state, command);
                assertEquals(ExitCodes.BAD_INPUT, run.exitCode, run.toString());
                assertEquals("metal: h1: BMC password: environment variable " + UNSET + " is not set\n", run.err);
            }
            CliRun file = CliRun.metal(state, "power", "on", "--all");
            assertEquals(ExitCodes.BAD_INPUT, file.exitCode, file.toString());
            // Said in words, not as the JDK's message (which is the file name again).
            assertTrue(file.err.contains("metal: h2: BMC password: cannot read secret file " + dir.resolve("nope")
                    + ": no such file\n"), file.err);
            assertEquals(0, bmc.requests(), "no BMC was asked anything");
        }
    }
}

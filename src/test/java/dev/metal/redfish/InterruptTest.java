package dev.metal.redfish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metal.cli.CliRun;
import dev.metal.lab.EmulatorFaults;
import dev.metal.lab.Fleet;
import dev.metal.lab.RedfishEmulator;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ctrl-C (SIGINT/SIGTERM) during a scrape still ends the BMC session: a real metal process, killed. */
class InterruptTest {
    @TempDir
    Path dir;

    @Test
    void sessionIsDeletedWhenMetalIsInterrupted() throws Exception {
        try (RedfishEmulator emu = RedfishEmulator.serve(Fleet.mockup("dmtf-public-rackmount1"))) {
            EmulatorFaults.on(emu).hangPath("/redfish/v1/Systems");
            Path state = dir.resolve("state.json");
            assertEquals(0, CliRun.metal(state, "import", Fleet.rackCsv(dir, Fleet.one("h1", emu)).toString()).exitCode);
            String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder(List.of(javaBin, "-cp", System.getProperty("java.class.path"),
                    "dev.metal.cli.Main", "--state", state.toString(), "scrape", "h1"))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile()).start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (emu.openSessions() == 0 && System.nanoTime() < deadline && p.isAlive()) Thread.sleep(20);
                assertEquals(1, emu.openSessions(), "metal logged in and is waiting on the hanging resource");
                p.destroy(); // SIGTERM: the JVM runs its shutdown hooks as on Ctrl-C
                assertTrue(p.waitFor(20, TimeUnit.SECONDS), "metal exits");
            } finally {
                p.destroyForcibly();
            }
            assertEquals(0, emu.openSessions(), "the session was deleted on the way out; metal said: "
                    + java.nio.file.Files.readString(dir.resolve("out.txt")));
            assertEquals(1, emu.sessionsDeleted());
        }
    }
}

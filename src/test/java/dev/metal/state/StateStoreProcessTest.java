package dev.metal.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real metal processes on one state: they take turns, and a kill -9 never tears it. On
 * SQLite here; {@link StateStoreProcessPostgresTest} runs the same on PostgreSQL.
 */
class StateStoreProcessTest {
    @TempDir
    Path dir;
    private int states;

    /** A fresh state's location. */
    String newLocation() throws Exception {
        return dir.resolve("state" + ++states + ".json").toString();
    }

    static ProcessBuilder metal(String state, String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "dev.metal.cli.Main", "--state", state));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true);
    }

    @Test
    void eightConcurrentImportsAllLand() throws Exception {
        String state = newLocation();
        List<Process> processes = new ArrayList<>();
        for (int batch = 0; batch < 8; batch++) {
            Path csv = RackFiles.write(dir.resolve("rack" + batch + ".csv"), batch, 50);
            processes.add(metal(state, "import", csv.toString()).start());
        }
        for (Process p : processes) {
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "import finished");
            String output = new String(p.getInputStream().readAllBytes());
            assertEquals(0, p.exitValue(), output);
        }
        Store store = Stores.open(state, "test", java.time.Clock.systemUTC());
        assertEquals(400, store.hosts(HostQuery.all()).size(), "every host of every import is there");
        List<JournalEntry> journal = store.journal(JournalQuery.all());
        assertEquals(400, journal.stream().filter(e -> e.event().equals("imported")).count());
        for (int batch = 0; batch < 8; batch++) {
            String file = dir.resolve("rack" + batch + ".csv").toString();
            assertEquals(50, journal.stream().filter(e -> file.equals(e.detail().get("file"))).count(), file);
        }
    }

    @Test
    void killDuringAnImportLeavesAStateThatLoads() throws Exception {
        Path small = RackFiles.write(dir.resolve("small.csv"), 90, 10);
        Path large = RackFiles.write(dir.resolve("large.csv"), 91, 10_000);
        int[] delaysMs = {150, 400, 700, 1000, 1300, 1700};
        int sawOld = 0;
        int sawNew = 0;
        for (int delay : delaysMs) {
            String state = newLocation();
            Store store = Stores.open(state, "test", java.time.Clock.systemUTC());
            Process first = metal(state, "import", small.toString()).start();
            assertTrue(first.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, first.exitValue());
            Process p = metal(state, "import", large.toString()).start();
            Thread.sleep(delay);
            p.destroyForcibly();
            p.waitFor();
            int hosts = store.hosts(HostQuery.all()).size();
            store.close();
            assertTrue(hosts == 10 || hosts == 10_010, "old or new state, never torn: " + hosts);
            if (hosts == 10) sawOld++; else sawNew++;
        }
        assertEquals(delaysMs.length, sawOld + sawNew);
    }
}

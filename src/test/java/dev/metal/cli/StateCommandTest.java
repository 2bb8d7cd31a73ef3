package dev.metal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a user sees when the state is missing, misplaced or not a state at all. */
class StateCommandTest {
    @TempDir
    Path dir;

    static Path sample() {
        return Path.of(System.getProperty("metal.basedir", ".")).resolve("samples/rack.csv");
    }

    @Test
    void aMissingStateFolderIsBadInputNamingIt() {
        Path state = dir.resolve("nowhere/state.json");
        CliRun run = CliRun.metal(state, "import", sample().toString());
        assertEquals(2, run.exitCode, run.toString());
        assertTrue(run.err.contains("the folder of the state file " + state + " does not exist"), run.err);
        assertFalse(Files.exists(dir.resolve("nowhere")));
    }

    @Test
    void readingAStateThatIsNotThereListsNothingAndCreatesNothing() {
        Path state = dir.resolve("state.json");
        CliRun run = CliRun.metal(state, "host", "list", "--json");
        assertEquals(0, run.exitCode, run.toString());
        assertEquals("{\n  \"hosts\" : [ ]\n}", run.out.strip());
        assertFalse(Files.exists(state));
    }

    @Test
    void aFileThatIsNotAStateIsNamedWithoutAStackTrace() throws Exception {
        for (String content : new String[] {"null", "{\"schemaVersion\": 1, \"hosts\": {\"a\": "}) {
            Path state = dir.resolve("state.json");
            Files.writeString(state, content);
            CliRun run = CliRun.metal(state, "host", "list");
            assertEquals(1, run.exitCode, run.toString());
            assertTrue(run.err.startsWith("metal: ") && run.err.contains(state.toString()), run.err);
            assertFalse(run.err.contains("\tat "), run.err);
            assertEquals(content, Files.readString(state), "left as it was");
        }
    }

    @Test
    void aStateFromANewerMetalIsRefused() throws Exception {
        Path state = dir.resolve("state.json");
        assertEquals(0, CliRun.metal(state, "import", sample().toString()).exitCode);
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + state); var s = c.createStatement()) {
            s.execute("UPDATE metal_schema SET version = 7");
        }
        CliRun run = CliRun.metal(state, "host", "list");
        assertEquals(1, run.exitCode, run.toString());
        assertTrue(run.err.contains(state + " has schema version 7, newer than this metal understands"), run.err);
    }
}

package dev.metal.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metal.cli.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** State files that parse as JSON but hold no state are refused by name, and left as they are. */
class BadStateFileTest {
    @TempDir
    Path dir;

    @Test
    void nullStatesAndNullHostsAreNamedNotNullPointers() throws Exception {
        Path state = dir.resolve("state.json");
        for (String text : new String[] {"null", "{\"schemaVersion\":1,\"hosts\":{\"web-1\":null}}"}) {
            Files.writeString(state, text);
            CliRun run = CliRun.metal(state, "host", "list");
            assertTrue(run.exitCode != 0, run.toString());
            assertTrue(run.err.startsWith("metal: state file " + state + " is not "), run.err);
            assertFalse(run.err.contains("Cannot invoke") || run.err.contains("NullPointer"), run.err);
            assertEquals(text, Files.readString(state), "the file is left untouched");
        }
    }
}

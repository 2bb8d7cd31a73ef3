package dev.metal.state;

import java.nio.file.Path;
import java.time.Clock;

/** Opens the state where the command line says it is. */
public final class Stores {
    private Stores() {}

    /**
     * @param location the state file
     * @param command  what the journal records as the cause of changes (no secrets)
     */
    public static Store open(String location, String command, Clock clock) {
        return new JsonFileStore(Path.of(location), command, clock);
    }
}

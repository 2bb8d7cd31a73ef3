package dev.metal.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** --profiles DIR, shared by the commands that read the profiles folder. */
final class ProfilesOption {
    @Option(names = "--profiles", paramLabel = "DIR",
            description = "Profiles folder (default: $METAL_PROFILES, else 'profiles' beside the state file).")
    Path dir;

    Path resolve(MetalCommand root) {
        if (dir != null) return dir;
        String fromEnv = root.context().env("METAL_PROFILES");
        if (fromEnv != null && !fromEnv.isBlank()) return Path.of(fromEnv);
        Path parent = root.statePath().toAbsolutePath().getParent();
        return parent.resolve("profiles");
    }
}

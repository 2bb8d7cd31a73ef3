package dev.metal.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** --profiles DIR, shared by the commands that read the profiles folder. */
final class ProfilesOption {
    /** The help footer of every command that reads the profiles folder. */
    static final String FOOTER = "  The profiles folder is --profiles DIR, else $METAL_PROFILES, else a%n"
            + "  folder 'profiles' beside the state file. Each *.yaml (or *.yml) file%n"
            + "  in it is one profile.";

    @Option(names = "--profiles", paramLabel = "DIR",
            description = "Profiles folder (default: $METAL_PROFILES, else 'profiles' beside the state file).")
    Path dir;

    Path resolve(MetalCommand root) {
        if (dir != null) return dir;
        String fromEnv = root.context().env("METAL_PROFILES");
        if (fromEnv != null && !fromEnv.isBlank()) return Path.of(fromEnv);
        return root.besideState("profiles");
    }
}

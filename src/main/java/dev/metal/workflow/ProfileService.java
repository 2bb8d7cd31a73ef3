package dev.metal.workflow;

import dev.metal.model.BadInputException;
import dev.metal.model.ConflictException;
import dev.metal.model.Host;
import dev.metal.model.NotFoundException;
import dev.metal.model.Profile;
import dev.metal.model.SystemicException;
import dev.metal.profile.ProfileFiles;
import dev.metal.profile.Suggester;
import dev.metal.state.Store;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** 'metal profile suggest': a profile written from a scraped host, so that the host matches it. */
public final class ProfileService {
    private final Store store;

    public ProfileService(Store store) {
        this.store = store;
    }

    /** A suggested profile and its file's text. */
    public record Suggestion(Profile profile, String text) {}

    /**
     * @param name   the profile's name (null: from the model)
     * @param output the file to write (null: write none), replaced only with {@code force}
     */
    public Suggestion suggest(String hostname, String name, Path output, boolean force) {
        Host h = store.host(hostname);
        if (h == null) throw new NotFoundException("unknown host " + hostname);
        if (h.inventory() == null || h.inventory().systems().isEmpty()) {
            throw new ConflictException(hostname + " has no inventory; scrape it first");
        }
        Profile p = Suggester.suggest(h.inventory(), name, h.mgmtMac());
        String text = ProfileFiles.write(p, List.of(
                "Suggested by 'metal profile suggest' from " + hostname + " (inventory of "
                        + h.inventory().scrapedAt() + ").",
                "Patterns: '*' any text, '?' one character. Leave a key out to not check it."));
        // What is written must load again: a suggestion that fails its own check is a bug here.
        ProfileFiles.parse(text, "suggested profile", null);
        if (output != null) write(output, text, force);
        return new Suggestion(p, text);
    }

    private static void write(Path output, String text, boolean force) {
        if (Files.exists(output) && !force) throw new BadInputException(output + " exists; use --force to overwrite it");
        try {
            Path parent = output.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            Files.writeString(output, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SystemicException("cannot write " + output + ": " + e.getMessage(), e);
        }
    }
}

package dev.metal.util;

import dev.metal.model.BadInputException;
import dev.metal.model.Secret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a secret's value where its reference points: the literal, the environment, or a file. */
public final class Secrets {
    private Secrets() {}

    /** The secret value, read now (env and file references); null for a null secret. Never logged. */
    public static String resolve(Secret secret) {
        if (secret == null) return null;
        String reference = secret.reference();
        if (reference.startsWith("env:")) {
            String name = reference.substring(4);
            String value = System.getenv(name);
            if (value == null) throw new BadInputException("environment variable " + name + " is not set");
            return value;
        }
        if (reference.startsWith("file:")) {
            Path path = Path.of(reference.substring(5));
            try {
                return Files.readString(path, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new BadInputException("cannot read secret file " + path + ": " + Messages.of(e));
            }
        }
        return reference;
    }
}

package dev.metal.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A secret as the user wrote it: a literal, {@code env:VAR} or {@code file:PATH}.
 * It serializes as {@code ****} everywhere; only the state store, through its own
 * Jackson mix-in, writes the reference itself.
 */
public final class Secret {
    public static final String MASK = "****";

    private final String reference;

    private Secret(String reference) {
        this.reference = reference;
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    /** A fresh random token (256 bits, base64url without padding: safe in URLs and shell quotes). */
    public static Secret randomToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return new Secret(java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
    }

    @JsonCreator
    public static Secret of(String reference) {
        return reference == null ? null : new Secret(reference);
    }

    /** The reference as written: the value itself, env:VAR or file:PATH (for the state store and {@code Secrets}). */
    public String reference() {
        return reference;
    }

    @JsonValue
    public String masked() {
        return MASK;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret s && s.reference.equals(reference);
    }

    @Override
    public int hashCode() {
        return reference.hashCode();
    }

    @Override
    public String toString() {
        return MASK;
    }
}

package dev.metal.model;

import java.time.Instant;

/**
 * The current (or last) provisioning attempt of a host. {@code token} authenticates the
 * host to the boot server for this attempt only; it is a {@link Secret} so that it never
 * reaches output.
 */
public record Provisioning(String requestId, String os, Secret token, Instant startedAt, Instant phonedHomeAt,
                           int attempt, String sshKeys) {
    /** The same attempt with another token (null: the attempt has ended and its token stops working). */
    public Provisioning withToken(Secret newToken) {
        return new Provisioning(requestId, os, newToken, startedAt, phonedHomeAt, attempt, sshKeys);
    }

    public Provisioning withPhonedHomeAt(Instant when) {
        return new Provisioning(requestId, os, token, startedAt, when, attempt, sshKeys);
    }
}

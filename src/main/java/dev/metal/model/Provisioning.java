package dev.metal.model;

import java.time.Instant;

/**
 * The current (or last) provisioning attempt of a host. {@code token} authenticates the
 * host to the boot server for this attempt only; it is a {@link Secret} so that it never
 * reaches output. {@code stage} is how far the machine got, as the boot server saw it (its
 * iPXE script served, then what the agent reported: booted, working, done, failed with the
 * reason), with the time it got there; a failure names the stage it stopped at.
 */
public record Provisioning(String requestId, String os, Secret token, Instant startedAt, Instant phonedHomeAt,
                           int attempt, String sshKeys, String stage, Instant stageAt) {
    /** An attempt that no machine has reached the boot server for yet. */
    public Provisioning(String requestId, String os, Secret token, Instant startedAt, Instant phonedHomeAt,
                        int attempt, String sshKeys) {
        this(requestId, os, token, startedAt, phonedHomeAt, attempt, sshKeys, null, null);
    }

    /** The same attempt with another token (null: the attempt has ended and its token stops working). */
    public Provisioning withToken(Secret newToken) {
        return new Provisioning(requestId, os, newToken, startedAt, phonedHomeAt, attempt, sshKeys, stage, stageAt);
    }

    public Provisioning withPhonedHomeAt(Instant when) {
        return new Provisioning(requestId, os, token, startedAt, when, attempt, sshKeys, stage, stageAt);
    }

    /** The same attempt, now at {@code newStage} ("booted", "failed: no disk", ...). */
    public Provisioning withStage(String newStage, Instant when) {
        return new Provisioning(requestId, os, token, startedAt, phonedHomeAt, attempt, sshKeys, newStage, when);
    }

    /** Whether the machine reported that it failed: the stage starts with "failed". */
    public boolean reportedFailure() {
        return stage != null && stage.startsWith("failed");
    }
}

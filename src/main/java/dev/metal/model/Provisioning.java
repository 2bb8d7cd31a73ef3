package dev.metal.model;

import java.time.Instant;

/**
 * The current (or last) provisioning attempt of a host. {@code token} authenticates the
 * host to the boot server for this attempt only; it is a {@link Secret} so that it never
 * reaches output.
 */
public record Provisioning(String requestId, String os, Secret token, Instant startedAt, Instant phonedHomeAt,
                           int attempt, String sshKeys) {}

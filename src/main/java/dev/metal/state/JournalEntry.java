package dev.metal.state;

import java.time.Instant;
import java.util.Map;

/** One line of the journal: when, which command, which host, what happened. Never a secret. */
public record JournalEntry(Instant time, String command, String host, String event, Map<String, Object> detail) {}

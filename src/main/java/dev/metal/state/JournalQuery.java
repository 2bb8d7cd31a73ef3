package dev.metal.state;

import java.time.Instant;
import java.util.Set;

/**
 * Which journal entries to read.
 *
 * @param host   only this host's entries (null: all)
 * @param events only these events (null or empty: all)
 * @param since  only entries at or after this time (null: from the start)
 * @param limit  at most this many, the newest ones, still returned oldest first (0: no limit)
 */
public record JournalQuery(String host, Set<String> events, Instant since, int limit) {
    public JournalQuery {
        events = events == null || events.isEmpty() ? null : Set.copyOf(events);
    }

    public static JournalQuery all() {
        return new JournalQuery(null, null, null, 0);
    }

    public static JournalQuery forHost(String host) {
        return new JournalQuery(host, null, null, 0);
    }

    public JournalQuery ofEvents(String... e) {
        return new JournalQuery(host, Set.of(e), since, limit);
    }

    public JournalQuery since(Instant t) {
        return new JournalQuery(host, events, t, limit);
    }

    public JournalQuery last(int n) {
        return new JournalQuery(host, events, since, n);
    }
}

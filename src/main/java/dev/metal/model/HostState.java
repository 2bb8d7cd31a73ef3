package dev.metal.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The life of a host, and the only place that says which moves are allowed.
 * Nothing may move an {@code active} host except to quarantine or an explicit release
 * back to ready, so no automatic step can reboot a server that runs user code.
 */
public enum HostState {
    IMPORTED, DISCOVERED, INVENTORIED, READY, PROVISIONING, ACTIVE, FAILED, QUARANTINED;

    private Set<HostState> next;

    static {
        IMPORTED.next = EnumSet.of(DISCOVERED, QUARANTINED);
        DISCOVERED.next = EnumSet.of(DISCOVERED, INVENTORIED, FAILED, QUARANTINED);
        INVENTORIED.next = EnumSet.of(DISCOVERED, INVENTORIED, READY, FAILED, QUARANTINED);
        READY.next = EnumSet.of(DISCOVERED, INVENTORIED, READY, PROVISIONING, FAILED, QUARANTINED);
        PROVISIONING.next = EnumSet.of(ACTIVE, FAILED, QUARANTINED, READY);
        ACTIVE.next = EnumSet.of(READY, QUARANTINED);
        FAILED.next = EnumSet.of(DISCOVERED, INVENTORIED, READY, FAILED, QUARANTINED);
        QUARANTINED.next = EnumSet.of(IMPORTED, DISCOVERED, INVENTORIED, READY);
    }

    public boolean canMoveTo(HostState target) {
        return next.contains(target);
    }

    /** The states this one may move to, for error messages and docs. */
    public Set<HostState> successors() {
        return EnumSet.copyOf(next);
    }

    /** Throws a {@link TransitionException} naming the host when the move is not allowed. */
    public HostState moveTo(HostState target, String hostname) {
        if (!canMoveTo(target)) {
            throw new TransitionException(hostname, this, target);
        }
        return target;
    }

    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static HostState parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown host state '" + text + "' (one of " + labels() + ")");
        }
    }

    public static String labels() {
        StringBuilder b = new StringBuilder();
        for (HostState s : values()) {
            if (b.length() > 0) b.append(", ");
            b.append(s.label());
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return label();
    }
}

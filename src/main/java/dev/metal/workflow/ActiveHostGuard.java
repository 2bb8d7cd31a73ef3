package dev.metal.workflow;

import dev.metal.model.Host;
import dev.metal.model.HostState;

/**
 * Nothing stops, restarts or re-boots a server that runs user code (an active host), and
 * nothing removes one that runs or installs it, unless the user says --force.
 */
public final class ActiveHostGuard {
    private final boolean force;

    public ActiveHostGuard(boolean force) {
        this.force = force;
    }

    /** Why {@code action} (off, cycle, boot pxe, ...) is refused on the host, or null when it may go ahead. */
    public String refusal(Host host, String action) {
        if (force || host.state() != HostState.ACTIVE) return null;
        return host.hostname() + " is active (running user code); use --force to " + action + " it anyway";
    }

    /** Why the host may not be removed from the state, or null when it may. */
    public String removal(Host host) {
        if (force || (host.state() != HostState.ACTIVE && host.state() != HostState.PROVISIONING)) return null;
        return host.hostname() + " is " + host.state() + "; use --force to remove it anyway";
    }
}

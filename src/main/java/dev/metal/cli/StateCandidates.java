package dev.metal.cli;

import dev.metal.model.HostState;
import java.util.Arrays;
import java.util.Iterator;

/** The host states, for completion and --help. */
final class StateCandidates implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
        return Arrays.stream(HostState.values()).map(HostState::label).iterator();
    }
}

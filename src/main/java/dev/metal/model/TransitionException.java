package dev.metal.model;

import java.util.stream.Collectors;

/** A host was asked to make a move its state machine forbids. */
public class TransitionException extends RuntimeException {
    public TransitionException(String hostname, HostState from, HostState to) {
        super(hostname + ": cannot go from " + from + " to " + to + " (allowed from " + from + ": "
                + from.successors().stream().map(String::valueOf).collect(Collectors.joining(", ")) + ")");
    }
}

package dev.metal.model;

/** A host was asked to make a move its state machine forbids. */
public class TransitionException extends RuntimeException {
    private final String hostname;
    private final HostState from;
    private final HostState to;

    public TransitionException(String hostname, HostState from, HostState to) {
        super(hostname + ": cannot go from " + from + " to " + to
                + " (allowed from " + from + ": " + join(from) + ")");
        this.hostname = hostname;
        this.from = from;
        this.to = to;
    }

    private static String join(HostState from) {
        StringBuilder b = new StringBuilder();
        for (HostState s : from.successors()) {
            if (b.length() > 0) b.append(", ");
            b.append(s);
        }
        return b.toString();
    }

    public String hostname() { return hostname; }
    public HostState from() { return from; }
    public HostState to() { return to; }
}

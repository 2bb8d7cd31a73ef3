package dev.metal.util;

/**
 * What fleet work tells of each host as it goes: the step it is on and the state it is in.
 * Workflows report here; the command line shows it (a live view on a terminal, a line per
 * step in a pipe), so that no workflow knows how it is shown.
 */
public interface Progress {
    /** Where a host is: still at work, or finished well or badly. */
    enum Phase { WORKING, DONE, FAILED }

    /**
     * @param host  the host's name
     * @param state the host's state now (a label such as "discovered"), or null when unchanged or unknown
     * @param step  what is happening, in a few words ("reading the BMC"); for FAILED, what went wrong
     */
    void report(String host, String state, String step, Phase phase);

    default void working(String host, String state, String step) {
        report(host, state, step, Phase.WORKING);
    }

    default void done(String host, String state, String step) {
        report(host, state, step, Phase.DONE);
    }

    default void failed(String host, String state, String step) {
        report(host, state, step, Phase.FAILED);
    }

    /** Tells nobody. */
    Progress NONE = (host, state, step, phase) -> { };
}

package dev.metal.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/** The exit codes every metal command documents and uses. */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int BAD_INPUT = 2;
    public static final int PARTIAL = 3;

    private ExitCodes() {}

    /** A command over many hosts: 0 when none failed, 1 when nothing was done, else 3. */
    public static int forHosts(long failed, long done) {
        if (failed == 0) return OK;
        return done == 0 ? FAILURE : PARTIAL;
    }

    /** For --help and the man pages. */
    public static Map<String, String> descriptions() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("0", "ok");
        m.put("1", "failure");
        m.put("2", "usage error or bad input (nothing was changed)");
        m.put("3", "partial: some hosts failed, the rest are done");
        return m;
    }
}

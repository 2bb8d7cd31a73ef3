package dev.metal.cli;

import dev.metal.model.BadInputException;
import java.util.LinkedHashMap;
import java.util.Map;

/** The exit codes every metal command documents and uses, and the one place errors become them. */
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

    /**
     * The exit code of an error that ended a command: bad input, an unknown name and a
     * request that conflicts with the state change nothing (2); a BMC fault, a changed
     * certificate, a failure around metal and anything unforeseen are failures (1).
     */
    public static int of(Throwable error) {
        return error instanceof BadInputException ? BAD_INPUT : FAILURE;
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

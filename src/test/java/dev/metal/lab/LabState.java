package dev.metal.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.metal.cli.CliRun;
import java.nio.file.Path;

/** A state with a lab's fleet as the pipeline leaves it, each step through the real command line. */
public final class LabState {
    private LabState() {}

    /** Imported, discovered, scraped, matched against the lab's profiles, and the lab's site plan set. */
    public static void ready(Path state, Lab lab, Path labDir) {
        ok(CliRun.metal(state, "import", labDir.resolve("rack.csv").toString()));
        ok(CliRun.metal(state, "discover", "--leases", labDir.resolve("dnsmasq.leases").toString(),
                "--port", Integer.toString(lab.bmcPort())));
        ok(CliRun.metal(state, "scrape", "--all"));
        ok(CliRun.metal(state, "match", "--all", "--profiles", labDir.resolve("profiles").toString()));
        ok(CliRun.metal(state, "site", "set", labDir.resolve("site.yaml").toString()));
    }

    private static void ok(CliRun run) {
        assertEquals(0, run.exitCode, run.toString());
    }
}

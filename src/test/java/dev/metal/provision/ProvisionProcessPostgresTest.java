package dev.metal.provision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metal.cli.CliRun;
import dev.metal.model.HostState;
import dev.metal.state.JournalQuery;
import dev.metal.testing.PostgresPerClass;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The provision processes of {@link ProvisionProcessTest} on a PostgreSQL state, and a server that stops mid-run. */
class ProvisionProcessPostgresTest extends ProvisionProcessTest {
    @RegisterExtension
    static final PostgresPerClass pg = new PostgresPerClass();

    @Override
    String location() throws Exception {
        return pg.server().newDatabase();
    }

    @Test
    void aServerStoppedMidProvisionIsAClearErrorAndResumeFinishesOnceItIsBack() throws Exception {
        fleet.host("web-01", "r1", 1, "web", 1).host("web-02", "r2", 1, "web", 2);
        // Its machines never phone home: it waits, then has to write the timeout to a stopped server.
        Process p = ProvisionProcess.start(fleet.location, Fleet.freePort(), "no-phone-home", dir.resolve("p.out"),
                "--state", fleet.location, "provision", "--profile", "web", "--count", "2", "--os", "debian-12",
                "--timeout", "6s", "--server", fleet.server.toString());
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (fleet.store.journal(JournalQuery.all()).stream().noneMatch(e -> e.event().equals("provision-claimed"))) {
                assertTrue(System.nanoTime() < deadline, Files.readString(dir.resolve("p.out.err")));
                Thread.sleep(100);
            }
            pg.server().stop();
            try {
                assertTrue(p.waitFor(90, TimeUnit.SECONDS), "the provision hangs with its server gone");
                String err = Files.readString(dir.resolve("p.out.err"));
                assertTrue(p.exitValue() != 0, err);
                assertTrue(err.contains("cannot reach the PostgreSQL state postgresql://metal@127.0.0.1:" + pg.server().port()), err);
                assertFalse(err.contains(pg.server().password()), err);
                assertFalse(err.contains("\tat "), "no stack trace without -v: " + err);
            } finally {
                pg.server().startServer();
            }
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        CliRun resumed = fleet.metal("provision", "--resume", "--timeout", "30s", "--server", fleet.server.toString());
        assertEquals(0, resumed.exitCode, resumed.toString());
        assertTrue(resumed.out.contains("2 active, 0 failed"), resumed.out);
        assertEquals(HostState.ACTIVE, fleet.get("web-01").state());
        assertEquals(HostState.ACTIVE, fleet.get("web-02").state());
    }
}

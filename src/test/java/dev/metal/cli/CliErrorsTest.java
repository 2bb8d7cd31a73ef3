package dev.metal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.metal.util.Json;
import dev.metal.util.Messages;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Errors a user can act on: the name meant, the file at fault, no Java in the text, no stack trace for a typo. */
class CliErrorsTest {
    @TempDir
    Path dir;

    Path state;

    @BeforeEach
    void fleet() throws IOException {
        state = dir.resolve("state.json");
        Path csv = dir.resolve("rack.csv");
        Files.writeString(csv, "hostname,rack,u,bmc_mac,bmc_address,bmc_user,bmc_password,mgmt_mac\n"
                + "web-01,r1,1,0c:c4:7a:00:00:01,10.0.0.1,admin,pw,0c:c4:7a:01:00:01\n"
                + "web-02,r1,2,0c:c4:7a:00:00:02,10.0.0.2,admin,pw,0c:c4:7a:01:00:02\n"
                + "db-01,r1,3,0c:c4:7a:00:00:03,10.0.0.3,admin,pw,0c:c4:7a:01:00:03\n");
        assertEquals(0, CliRun.metal(state, "import", csv.toString()).exitCode);
    }

    @Test
    void aMistypedCommandGetsTheNearestOne() throws Exception {
        CliRun run = CliRun.metal(state, "hots", "list");
        assertEquals(ExitCodes.BAD_INPUT, run.exitCode, run.toString());
        assertTrue(run.err.startsWith("metal: unknown command 'hots' for 'metal'\nDid you mean: host?\n"), run.err);

        run = CliRun.metal(state, "host", "lsit");
        assertTrue(run.err.contains("unknown command 'lsit' for 'metal host'\nDid you mean: list?"), run.err);

        run = CliRun.metal(state, "--json", "pool", "forcast");
        JsonNode error = Json.mapper().readTree(run.out).get("error");
        assertEquals(2, error.get("exitCode").asInt(), run.out);
        assertEquals(List.of("forecast"), List.of(error.get("suggestions").get(0).asText()), run.out);
    }

    @Test
    void aMistypedHostGetsTheNearestHostInTheState() throws Exception {
        CliRun run = CliRun.metal(state, "host", "show", "web-1");
        assertEquals(ExitCodes.BAD_INPUT, run.exitCode, run.toString());
        assertEquals("metal: unknown host web-1\nDid you mean: web-01?\n", run.err);

        run = CliRun.metal(state, "--json", "power", "status", "db01");
        assertEquals(ExitCodes.BAD_INPUT, run.exitCode, run.toString());
        JsonNode error = Json.mapper().readTree(run.out).get("error");
        assertEquals("unknown host db01", error.get("message").asText());
        assertEquals("db-01", error.get("suggestions").get(0).asText());
        assertEquals(1, error.get("suggestions").size(), run.out);
    }

    @Test
    void aStateFileInAFolderThatDoesNotExistIsAnError() {
        Path missing = dir.resolve("no-such-folder/state.json");
        CliRun run = CliRun.metal(missing, "host", "list");
        assertEquals(ExitCodes.BAD_INPUT, run.exitCode, run.toString());
        assertTrue(run.err.contains("the folder of the state file " + missing + " does not exist: " + missing.getParent()),
                run.err);
        run = CliRun.metal(Map.of(), "--state", missing.toString(), "import", dir.resolve("rack.csv").toString());
        assertEquals(ExitCodes.BAD_INPUT, run.exitCode, run.toString());
        assertFalse(Files.exists(missing.getParent()), "nothing made");
    }

    @Test
    void hostListFiltersByStateWithIn() {
        CliRun run = CliRun.metal(state, "host", "list", "--in", "imported");
        assertEquals(0, run.exitCode, run.toString());
        assertTrue(run.out.contains("web-02"), run.out);
        // The old spelling would read a state file called 'ready': refused, with the new one named.
        run = CliRun.metal(Map.of(), "host", "list", "--state", "ready");
        assertEquals(ExitCodes.BAD_INPUT, run.exitCode, run.toString());
        assertTrue(run.err.contains("use 'host list --in ready'"), run.err);
    }

    @Test
    void verboseShowsNoStackTraceForAUserMistake() {
        CliRun run = CliRun.metal(state, "-v", "host", "show", "nosuch");
        assertEquals(ExitCodes.BAD_INPUT, run.exitCode, run.toString());
        assertFalse(run.err.contains("\tat "), run.err);
        assertFalse(run.err.contains("Exception"), run.err);
    }

    @Test
    void versionAsJson() throws Exception {
        CliRun run = CliRun.metal(Map.of(), "--version", "--json");
        assertEquals(0, run.exitCode);
        assertTrue(Json.mapper().readTree(run.out).get("version").isTextual(), run.out);
    }

    @Test
    void javasWordingIsPutIntoWords() {
        assertEquals("/redfish/v1: cannot connect to 127.77.3.9:9443",
                Messages.plain("/redfish/v1: Failed to connect to /127.77.3.9:9443"));
        assertEquals("cannot connect to 10.0.0.5:443", Messages.plain("Failed to connect to bmc1.example/10.0.0.5:443"));
        assertEquals("no such file", Messages.of(new NoSuchFileException("/x/pw")));
        assertEquals("connection refused", Messages.of(new ConnectException("Connection refused")));
        assertEquals("answered 500", Messages.forHost("h1", "h1: answered 500"));
    }
}

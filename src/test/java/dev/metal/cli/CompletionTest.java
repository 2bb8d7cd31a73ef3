package dev.metal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metal.testing.Tools;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bash completion, run by bash itself: it offers the host and profile names of the
 * state named on the command line, and enum values in the case users type them.
 */
class CompletionTest {
    @TempDir
    Path dir;

    @Test
    void offersHostsAndProfilesFromTheStateAndLowerCaseValues() throws Exception {
        Path bash = Tools.require("bash", "bash");
        Path state = dir.resolve("state.json");
        Path csv = dir.resolve("rack.csv");
        Files.writeString(csv, "hostname,rack,u,bmc_mac,bmc_address,bmc_user,bmc_password,mgmt_mac\n"
                + "web-01,r1,1,0c:c4:7a:00:00:01,10.0.0.1,admin,pw,0c:c4:7a:01:00:01\n"
                + "web-02,r1,2,0c:c4:7a:00:00:02,10.0.0.2,admin,pw,0c:c4:7a:01:00:02\n"
                + "db-01,r1,3,0c:c4:7a:00:00:03,10.0.0.3,admin,pw,0c:c4:7a:01:00:03\n");
        assertEquals(0, CliRun.metal(state, "import", csv.toString()).exitCode);
        Files.createDirectories(dir.resolve("profiles"));
        Files.writeString(dir.resolve("profiles/web.yaml"), "name: web\nsystem:\n  manufacturer: Dell*\n");

        // The metal that completion runs: this build, as a command.
        Path metal = dir.resolve("metal");
        Files.writeString(metal, "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java")
                + "' -cp '" + System.getProperty("java.class.path") + "' dev.metal.cli.Main \"$@\"\n");
        Files.setPosixFilePermissions(metal, PosixFilePermissions.fromString("rwx------"));
        Path script = dir.resolve("metal.bash");
        Files.writeString(script, CompletionCommand.script(Cli.create(Context.system())));

        assertEquals(List.of("web-01", "web-02"), complete(bash, script, metal, "--state", state.toString(),
                "host", "show", "web"));
        assertEquals(List.of("db-01"), complete(bash, script, metal, "--state", state.toString(), "power", "on", "d"));
        // --state=FILE, as bash splits it by default and as one word.
        assertEquals(List.of("db-01"), complete(bash, script, metal, "--state", "=", state.toString(), "power", "on", "d"));
        assertEquals(List.of("db-01"), complete(bash, script, metal, "--state=" + state, "power", "on", "d"));
        assertEquals(List.of("web"), complete(bash, script, metal, "--state", state.toString(), "provision",
                "--profile", ""));
        assertEquals(List.of("redfish"), complete(bash, script, metal, "power", "status", "--via", "r"));
        assertEquals(List.of("dnsmasq"), complete(bash, script, metal, "discover", "--format", "d"));
    }

    /** What bash offers for the last word of {@code metal WORDS...}. */
    private List<String> complete(Path bash, Path script, Path metal, String... words) throws Exception {
        StringBuilder array = new StringBuilder("COMP_WORDS=(" + quote(metal.toString()));
        for (String w : words) array.append(' ').append(quote(w));
        array.append(")");
        String line = metal + " " + String.join(" ", words);
        String program = "source " + quote(script.toString()) + "\n" + array + "\n"
                + "COMP_CWORD=" + words.length + "\nCOMP_LINE=" + quote(line) + "\nCOMP_POINT=${#COMP_LINE}\n"
                + "_complete_metal\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n";
        Process p = new ProcessBuilder(bash.toString(), "-c", program).redirectError(new File("/dev/null")).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        List<String> offered = new ArrayList<>();
        for (String s : out.split("\n")) if (!s.isBlank()) offered.add(s.strip());
        assertTrue(offered.size() < 50, out);
        return offered;
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}

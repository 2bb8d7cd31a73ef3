package dev.metal.render;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the programs that consume rendered files. A missing program fails the test: CI must install it. */
final class Tools {
    private Tools() {}

    record Run(int exit, String output) {}

    /** Fails (never skips) when the program is not installed, naming the Debian package. */
    static Path require(String program, String debianPackage) {
        for (String dir : List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin", "/lib/systemd")) {
            Path p = Path.of(dir, program);
            if (Files.isExecutable(p)) return p;
        }
        return fail(program + " is not installed; install the Debian package " + debianPackage);
    }

    static Run run(List<String> command) {
        try {
            Path log = Files.createTempFile("tool", ".log");
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(command + " did not finish in 60 s");
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            Files.delete(log);
            return new Run(p.exitValue(), out);
        } catch (IOException e) {
            return fail("cannot run " + command + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted");
        }
    }

    static Run run(String... command) {
        return run(new ArrayList<>(List.of(command)));
    }
}

package dev.metal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metal.lab.Lab;
import dev.metal.testing.Tools;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fleet progress as people and scripts see it: metal as a process of its own, on a terminal
 * that tmux gives it (the live per-host view, redrawn in place, gone once the result is
 * printed), and in a pipe (a plain line per host step on stderr); --quiet shows nothing.
 */
class LiveProgressTerminalTest {
    private static final Pattern HOST_LINE =
            Pattern.compile("(?m)^  lab-r1-n0\\d +(discovered|inventoried|ready) +\\d+\\.\\d s  \\S.*$");

    @TempDir
    Path tmp;

    @Test
    void aTerminalGetsALiveViewAndAPipeGetsALinePerStep() throws Exception {
        Path tmux = Tools.require("tmux", "tmux");
        Path state = tmp.resolve("state.json");
        Path dir = tmp.resolve("lab");
        // BMCs slow enough that a scrape takes seconds, one host at a time.
        Lab.Options options = new Lab.Options(4, 1, 40, List.of(), dir, false, URI.create("http://127.0.0.1:9"), 0,
                Lab.DEFAULT_IPMI_PORT, Duration.ofMillis(100));
        try (Lab lab = Lab.start(options)) {
            lab.awaitReady(Duration.ofSeconds(60));
            assertEquals(0, CliRun.metal(state, "import", lab.rackCsv().toString()).exitCode);
            assertEquals(0, CliRun.metal(state, "discover", "--leases", lab.leases().toString(), "--port",
                    Integer.toString(lab.bmcPort())).exitCode);
            Path metal = launcher();
            String scrape = metal + " --state " + state + " scrape --all --parallel 1 --bmc-concurrency 1";

            // On a terminal: the view, redrawn while the hosts are read, then the result alone.
            List<String> screens = onTerminal(tmux, scrape);
            String last = screens.get(screens.size() - 1);
            assertTrue(last.contains("exit=0"), last);
            List<String> live = screens.stream().filter(s -> s.contains("scrape: 4 hosts, ")).toList();
            assertTrue(live.stream().anyMatch(s -> s.contains(" at work") && HOST_LINE.matcher(s).find()
                    && s.contains("reading the BMC")), "no live view with a host at work:\n" + String.join("\n--\n", live));
            assertTrue(live.stream().distinct().count() > 2, "the view moves on:\n" + String.join("\n--\n", live));
            for (String s : live) {
                long views = s.lines().filter(l -> l.startsWith("scrape: ")).count();
                assertEquals(1, views, "the view is drawn over itself, not below:\n" + s);
            }
            assertFalse(last.contains("scrape: 4 hosts"), "the view is cleared for the result:\n" + last);
            assertTrue(last.contains("4 ok, 0 failed"), last);

            // In a pipe: a line per host step on stderr, the result on stdout.
            Process piped = new ProcessBuilder("sh", "-c", scrape).redirectInput(ProcessBuilder.Redirect.from(
                    Path.of("/dev/null").toFile())).start();
            String out = new String(piped.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(piped.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, piped.waitFor(), err);
            assertTrue(out.contains("4 ok, 0 failed"), out);
            assertFalse(err.contains("\u001b"), "no terminal codes in a pipe:\n" + err);
            for (Lab.Server s : lab.servers()) {
                assertTrue(err.contains("metal: scrape: " + s.hostname + " [inventoried] reading the BMC\n"), err);
                assertTrue(Pattern.compile("metal: scrape: " + s.hostname + " \\[inventoried] inventory stored \\(\\d+\\.\\d s\\)\n")
                        .matcher(err).find(), err);
            }

            Process quiet = new ProcessBuilder("sh", "-c", scrape + " --quiet").start();
            quiet.getInputStream().readAllBytes();
            String quietErr = new String(quiet.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, quiet.waitFor(), quietErr);
            assertEquals("", quietErr);
        }
    }

    @Test
    void provisionShowsEachHostsStepOnATerminalAndInAPipe() throws Exception {
        Path tmux = Tools.require("tmux", "tmux");
        Path state = tmp.resolve("state.json");
        Path dir = tmp.resolve("lab");
        int bootPort = freePort();
        Lab.Options options = new Lab.Options(4, 2, 0, List.of(), dir, false, URI.create("http://127.0.0.1:" + bootPort),
                0, Lab.DEFAULT_IPMI_PORT, Duration.ofSeconds(2));
        try (Lab lab = Lab.start(options)) {
            lab.awaitReady(Duration.ofSeconds(60));
            for (List<String> step : List.of(List.of("import", lab.rackCsv().toString()),
                    List.of("discover", "--leases", lab.leases().toString(), "--port", Integer.toString(lab.bmcPort())),
                    List.of("scrape", "--all"), List.of("match", "--all", "--profiles", dir.resolve("profiles").toString()),
                    List.of("site", "set", dir.resolve("site.yaml").toString()))) {
                CliRun run = CliRun.metal(state, step.toArray(String[]::new));
                assertEquals(0, run.exitCode, run.toString());
            }
            String provision = launcher() + " --state " + state + " provision --os debian-12 --listen 127.0.0.1:"
                    + bootPort + " --files " + dir.resolve("files") + " --timeout 60s --no-ssh-keys ";

            List<String> screens = onTerminal(tmux, provision + "lab-r1-n02");
            String last = screens.get(screens.size() - 1);
            assertTrue(last.contains("exit=0"), last);
            assertTrue(screens.stream().anyMatch(s -> s.contains("provision: 1 host, 1 at work")
                    && Pattern.compile("(?m)^  lab-r1-n02 +provisioning +\\d+\\.\\d s  waiting for the phone-home")
                    .matcher(s).find()), "no live view of the wait:\n" + String.join("\n--\n", screens));
            assertFalse(last.contains("provision: 1 host"), "the view is cleared for the result:\n" + last);
            assertTrue(last.contains("1 active, 0 failed"), last);

            Process piped = new ProcessBuilder("sh", "-c", provision + "lab-r2-n02").redirectInput(
                    ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
            String out = new String(piped.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(piped.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, piped.waitFor(), out + err);
            assertTrue(Pattern.compile("""
                    metal: provision: lab-r2-n02 \\[provisioning] slot 1, attempt 1
                    metal: provision: lab-r2-n02 \\[provisioning] PXE once and power cycle
                    metal: provision: lab-r2-n02 \\[provisioning] waiting for the phone-home
                    metal: provision: lab-r2-n02 \\[provisioning] phoned home; boot from disk
                    metal: provision: lab-r2-n02 \\[active] installed \\(\\d+\\.\\d s\\)
                    """).matcher(err).find(), err);
        }
    }

    /** Runs {@code command} on a terminal of 120x30 that tmux gives it; the screens seen until it ended. */
    private static List<String> onTerminal(Path tmux, String command) throws Exception {
        String socket = "metal-test-" + ProcessHandle.current().pid();
        List<String> screens = new ArrayList<>();
        try {
            run(tmux.toString(), "-L", socket, "-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", "120",
                    "-y", "30", "sh -c '" + command + "; echo exit=$?; sleep 60'");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            String last;
            do {
                Thread.sleep(100);
                last = run(tmux.toString(), "-L", socket, "capture-pane", "-p", "-t", "t");
                screens.add(last);
            } while (!last.contains("exit=") && System.nanoTime() < deadline);
        } finally {
            new ProcessBuilder(tmux.toString(), "-L", socket, "kill-server").start().waitFor(10, TimeUnit.SECONDS);
        }
        return screens;
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** metal as a process of its own, with this JVM's classes. */
    private Path launcher() throws IOException {
        Path metal = tmp.resolve("metal");
        Files.writeString(metal, "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java")
                + "' -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp '" + System.getProperty("java.class.path") + "' "
                + Main.class.getName() + " \"$@\"\n");
        Files.setPosixFilePermissions(metal, PosixFilePermissions.fromString("rwx------"));
        return metal;
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), String.join(" ", command));
        assertEquals(0, p.exitValue(), String.join(" ", command) + "\n" + out);
        return out;
    }
}

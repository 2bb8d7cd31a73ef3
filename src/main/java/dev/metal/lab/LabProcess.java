package dev.metal.lab;

import dev.metal.model.BadInputException;
import dev.metal.model.NotFoundException;
import dev.metal.model.SystemicException;
import dev.metal.util.Log;
import dev.metal.util.UntilStopped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * 'metal lab up' and 'metal lab down': a lab in the foreground of this process until it is
 * stopped (Ctrl-C, SIGTERM, or a time limit), and stopping such a lab from elsewhere through
 * the pid file it writes.
 */
public final class LabProcess {
    private LabProcess() {}

    /** Told once, when every BMC answers, with the time it took to get there. */
    @FunctionalInterface
    public interface Readiness {
        void ready(Lab lab, Duration took);
    }

    /** Starts the lab, says when it is ready, and keeps it up until stopped, or for {@code limit} when given. */
    public static void runUntilStopped(Lab.Options options, Duration limit, Log log, Readiness readiness)
            throws InterruptedException {
        long start = System.nanoTime();
        Lab lab = Lab.start(options, log);
        try (UntilStopped running = new UntilStopped(lab::close)) {
            lab.awaitReady(Duration.ofSeconds(60 + options.hosts() / 10));
            readiness.ready(lab, Duration.ofNanos(System.nanoTime() - start));
            running.await(limit);
        }
    }

    /** What 'lab down' did: the lab's folder, its process, and whether it was running to be stopped. */
    public record Stopped(Path dir, Long pid, boolean stopped) {}

    /** Signals the lab running in {@code dir} (SIGTERM: its shutdown hook stops every BMC) and waits until it is gone. */
    public static Stopped stop(Path dir, Duration wait) throws IOException, InterruptedException {
        Path pidFile = dir.resolve("lab.pid");
        if (!Files.exists(pidFile)) throw new NotFoundException("no lab is running in " + dir + " (no " + pidFile + ")");
        long pid;
        try {
            pid = Long.parseLong(Files.readString(pidFile).strip());
        } catch (NumberFormatException | IOException e) {
            throw new BadInputException(pidFile + ": not a process id");
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (process.isEmpty() || !looksLikeJava(process.get())) {
            Files.deleteIfExists(pidFile);
            return new Stopped(dir, null, false);
        }
        if (pid == ProcessHandle.current().pid()) throw new BadInputException("the lab in " + dir + " runs in this process");
        process.get().destroy();
        try {
            process.get().onExit().get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            throw new SystemicException("the lab in " + dir + " (pid " + pid + ") did not stop within "
                    + wait.toSeconds() + " s");
        }
        return new Stopped(dir, pid, true);
    }

    /** Guards against a pid that was reused by another program since the lab wrote it. */
    private static boolean looksLikeJava(ProcessHandle p) {
        return p.info().command().map(c -> c.contains("java")).orElse(true);
    }
}

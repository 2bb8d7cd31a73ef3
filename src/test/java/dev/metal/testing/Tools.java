package dev.metal.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The real programs the tests run, and the Debian packages they read. Something missing fails the
 * test with the package to install (never a skip): {@code ./test} installs and downloads all of it.
 */
public final class Tools {
    private Tools() {}

    public record Run(int exit, String output) {}

    /**
     * The installed program, from Debian's folders rather than PATH (which may hold other builds,
     * such as a pyenv python3); fails, naming the Debian package, when it is not installed.
     */
    public static Path require(String program, String debianPackage) {
        for (Path dir : programDirs()) {
            Path p = dir.resolve(program);
            if (Files.isExecutable(p)) return p;
        }
        return fail(program + " is not installed; install the Debian package " + debianPackage
                + " (./test installs everything the tests need)");
    }

    private static List<Path> programDirs() {
        List<Path> dirs = new ArrayList<>();
        for (String d : List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin", "/lib/systemd")) dirs.add(Path.of(d));
        // Debian keeps PostgreSQL's server programs (initdb, pg_ctl, postgres) out of PATH, a folder per version.
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            versions.map(v -> v.resolve("bin")).max(Comparator.comparing(Tools::version)).ifPresent(dirs::add);
        } catch (IOException e) {
            // no PostgreSQL installed
        }
        return dirs;
    }

    private static int version(Path bin) {
        String name = bin.getParent().getFileName().toString();
        return name.matches("\\d+") ? Integer.parseInt(name) : -1;
    }

    /**
     * The folder of .deb files that {@code ./test} downloads with apt-get download:
     * -Dmetal.debs, else $METAL_DEBS, else ~/.cache/metal/debs.
     */
    public static Path debs() {
        String dir = System.getProperty("metal.debs", System.getenv("METAL_DEBS"));
        if (dir == null || dir.isEmpty()) return Path.of(System.getProperty("user.home"), ".cache/metal/debs");
        return Path.of(dir);
    }

    /**
     * The downloaded .deb of a package, named with a glob where it carries a version
     * ("linux-image-*-cloud-amd64", "busybox-static"); the newest when there are several.
     */
    public static Path deb(String debianPackage) {
        Path dir = debs();
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + debianPackage + "_*.deb");
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> matcher.matches(f.getFileName()))
                    .max(Comparator.comparing(f -> f.toFile().lastModified()))
                    .orElseGet(() -> missingDeb(debianPackage, dir));
        } catch (IOException e) {
            return missingDeb(debianPackage, dir);
        }
    }

    private static Path missingDeb(String debianPackage, Path dir) {
        return fail("no " + debianPackage + " .deb in " + dir + "; ./test downloads it (apt-get download), "
                + "or set METAL_DEBS to a folder that has it");
    }

    public static Run run(List<String> command) {
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

    public static Run run(String... command) {
        return run(new ArrayList<>(List.of(command)));
    }
}

package dev.metal.agent;

import dev.metal.model.BadInputException;
import dev.metal.model.SystemicException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The Debian packages the agent is built from: found in a folder, unpacked with dpkg-deb. */
final class Debs {
    private Debs() {}

    /** The folder of .deb files: $METAL_DEBS, else ~/.cache/metal/debs (where the test command downloads them). */
    static Path defaultFolder() {
        String env = System.getenv("METAL_DEBS");
        if (env != null && !env.isEmpty()) return Path.of(env);
        return Path.of(System.getProperty("user.home"), ".cache", "metal", "debs");
    }

    /** The newest .deb of a package in {@code dir}, its name a glob ("linux-image-*-cloud-amd64"). */
    static Path find(Path dir, String packageGlob, String fetchWith) {
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + packageGlob + "_*.deb");
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                Path found = files.filter(f -> matcher.matches(f.getFileName()))
                        .max(Comparator.comparing(f -> f.toFile().lastModified())).orElse(null);
                if (found != null) return found;
            } catch (IOException e) {
                throw new BadInputException("cannot read " + dir + ": " + e.getMessage());
            }
        }
        throw new BadInputException("no " + packageGlob + " .deb in " + dir + "; fetch it with 'cd " + dir
                + " && apt-get download " + fetchWith + "' (or give --debs DIR)");
    }

    /** Unpacks the files of a .deb into {@code into} (dpkg-deb -x, from Debian's dpkg). */
    static void unpack(Path deb, Path into) {
        Path dpkgDeb = Path.of("/usr/bin/dpkg-deb");
        if (!Files.isExecutable(dpkgDeb)) {
            throw new SystemicException("dpkg-deb is not installed (Debian package dpkg); it unpacks " + deb.getFileName());
        }
        try {
            Files.createDirectories(into);
            Path log = Files.createTempFile("metal-dpkg-deb", ".log");
            try {
                Process p = new ProcessBuilder(dpkgDeb.toString(), "-x", deb.toString(), into.toString())
                        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new SystemicException("dpkg-deb -x " + deb + " did not finish in 120 s");
                }
                if (p.exitValue() != 0) {
                    throw new BadInputException(deb + ": dpkg-deb -x failed: " + Files.readString(log, StandardCharsets.UTF_8).strip());
                }
            } finally {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            throw new SystemicException("cannot unpack " + deb + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SystemicException("interrupted while unpacking " + deb);
        }
    }
}

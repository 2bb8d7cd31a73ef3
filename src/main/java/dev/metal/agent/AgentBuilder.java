package dev.metal.agent;

import dev.metal.model.BadInputException;
import dev.metal.model.SystemicException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Builds metal's agent: a kernel and an initramfs made from Debian packages alone (the cloud
 * kernel and busybox-static; the running kernel is never used). The initramfs holds busybox,
 * the NIC, disk and filesystem modules the kernel needs, and the agent's scripts: {@code /init},
 * {@code /lib/metal/agent.sh}, the DHCP hook and the steps in {@code /lib/metal/steps}.
 */
public final class AgentBuilder {
    public static final String KERNEL = "vmlinuz";
    public static final String INITRD = "initrd";
    static final String KERNEL_PACKAGE = "linux-image-*-cloud-amd64";
    static final String BUSYBOX_PACKAGE = "busybox-static";
    private static final String RESOURCES = "/dev/metal/agent/";
    /** The steps the agent runs, in order, from /lib/metal/steps. */
    static final List<String> STEPS = List.of("10-disks.sh", "50-image.sh", "60-boot-image.sh");
    /** The program that boots an installed image, copied from this machine with the libraries it loads. */
    static final Path KEXEC = Path.of("/usr/sbin/kexec");

    /** What was built. */
    public record Built(Path kernel, Path initrd, String kernelVersion, List<String> modules, long initrdBytes) {}

    private AgentBuilder() {}

    /** Where the .deb files are looked for by default: $METAL_DEBS, else ~/.cache/metal/debs. */
    public static Path defaultDebs() {
        return Debs.defaultFolder();
    }

    /**
     * What {@link #build} would miss, one line each naming the Debian package or the download:
     * the kernel and busybox-static .deb files in {@code debs}, dpkg-deb and kexec. Empty when all is there.
     */
    public static List<String> missing(Path debs) {
        List<String> m = new ArrayList<>();
        for (String[] deb : new String[][] {{KERNEL_PACKAGE, "linux-image-cloud-amd64 $(apt-cache depends "
                + "linux-image-cloud-amd64 | awk '/Depends: linux-image/ {print $2}')"}, {BUSYBOX_PACKAGE, BUSYBOX_PACKAGE}}) {
            try {
                Debs.find(debs, deb[0], deb[1]);
            } catch (BadInputException e) {
                m.add(e.getMessage());
            }
        }
        if (!Files.isExecutable(Path.of("/usr/bin/dpkg-deb"))) m.add("/usr/bin/dpkg-deb (Debian package dpkg)");
        if (!Files.isExecutable(KEXEC)) m.add(KEXEC + " (Debian package kexec-tools)");
        return m;
    }

    /** Builds {@code out/vmlinuz} and {@code out/initrd} from the packages in {@code debs}. */
    public static Built build(Path debs, Path out) {
        Path work = null;
        try {
            Files.createDirectories(out);
            work = Files.createTempDirectory(out, ".agent-build");
            Unpacked unpacked = unpack(debs, work);
            Path busyboxDeb = unpacked.busyboxDeb();
            Path modulesRoot = unpacked.modulesRoot();
            String version = unpacked.version();
            Path vmlinuz = unpacked.vmlinuz();
            Path busybox = unpacked.busybox();
            List<KernelModules.Module> modules = new KernelModules(modulesRoot.resolve(version)).pick();

            Path initrdTmp = work.resolve(INITRD);
            try (Cpio cpio = new Cpio(initrdTmp)) {
                for (String d : List.of("bin", "sbin", "usr/bin", "usr/sbin", "etc", "proc", "sys", "dev", "tmp",
                        "run", "root", "lib/metal/steps")) {
                    cpio.dir(d);
                }
                cpio.charDevice("dev/console", 0600, 5, 1);
                cpio.charDevice("dev/null", 0666, 1, 3);
                cpio.file("init", 0755, resource("init"));
                cpio.file("bin/busybox", 0755, Files.readAllBytes(busybox));
                cpio.symlink("bin/sh", "busybox");
                cpio.file("lib/metal/agent.sh", 0755, resource("agent.sh"));
                cpio.file("lib/metal/udhcpc.script", 0755, resource("udhcpc.script"));
                for (String step : STEPS) cpio.file("lib/metal/steps/" + step, 0755, resource(step));
                cpio.file("lib/metal/deploy-lib.sh", 0644, resource("deploy-lib.sh"));
                for (Map.Entry<String, Path> f : withLibraries(KEXEC, "kexec-tools").entrySet()) {
                    cpio.file(f.getKey(), 0755, Files.readAllBytes(f.getValue()));
                }
                StringBuilder list = new StringBuilder();
                for (KernelModules.Module m : modules) {
                    cpio.file("lib/modules/" + version + "/" + m.path(), 0644,
                            Files.readAllBytes(modulesRoot.resolve(version).resolve(m.path())));
                    list.append(m.path()).append('\n');
                }
                cpio.file("lib/metal/modules", 0644, list.toString().getBytes(StandardCharsets.UTF_8));
                cpio.file("etc/metal-agent", 0644, ("kernel " + version + "\nbusybox " + busyboxDeb.getFileName()
                        + "\n").getBytes(StandardCharsets.UTF_8));
            }
            Path kernel = out.resolve(KERNEL);
            Path initrd = out.resolve(INITRD);
            Files.move(initrdTmp, initrd, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.copy(vmlinuz, kernel.resolveSibling(KERNEL + ".tmp"), StandardCopyOption.REPLACE_EXISTING);
            Files.move(kernel.resolveSibling(KERNEL + ".tmp"), kernel, StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            return new Built(kernel, initrd, version, modules.stream().map(KernelModules.Module::name).toList(),
                    Files.size(initrd));
        } catch (IOException e) {
            throw new SystemicException("cannot build the agent in " + out + ": " + e.getMessage(), e);
        } finally {
            if (work != null) delete(work);
        }
    }

    /**
     * A program of this machine (from its Debian package) and the shared libraries it loads, as
     * ldd lists them: archive path to the file to copy. busybox has no kexec; kexec-tools' does.
     */
    static Map<String, Path> withLibraries(Path program, String debianPackage) throws IOException {
        if (!Files.isExecutable(program)) {
            throw new BadInputException(program + " is not installed; install the Debian package " + debianPackage
                    + " (the agent boots an installed image with it)");
        }
        Map<String, Path> files = new LinkedHashMap<>();
        files.put(program.toString().substring(1), program);
        Process p = new ProcessBuilder("ldd", program.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) throw new SystemicException("ldd " + program + " failed: " + out.strip());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SystemicException("interrupted while reading the libraries of " + program);
        }
        for (String line : out.split("\n")) {
            // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)"
            String l = line.strip();
            String path = l.contains("=>") ? l.substring(l.indexOf("=>") + 2).strip() : l;
            int paren = path.indexOf(" (");
            if (paren >= 0) path = path.substring(0, paren);
            if (!path.startsWith("/")) continue;
            Path lib = Path.of(path);
            if (!Files.isRegularFile(lib)) throw new SystemicException(program + " needs " + lib + ", which is missing");
            files.put(path.substring(1), lib.toRealPath());
        }
        return files;
    }

    /** The cloud kernel and busybox-static unpacked: the kernel's version, its modules and image, and busybox. */
    record Unpacked(Path kernelDeb, Path busyboxDeb, String version, Path modulesRoot, Path vmlinuz, Path busybox) {}

    /** Finds the kernel and busybox-static .deb files in {@code debs} and unpacks them under {@code work}. */
    static Unpacked unpack(Path debs, Path work) throws IOException {
        Path kernelDeb = Debs.find(debs, KERNEL_PACKAGE, "linux-image-cloud-amd64 $(apt-cache depends "
                + "linux-image-cloud-amd64 | awk '/Depends: linux-image/ {print $2}')");
        Path busyboxDeb = Debs.find(debs, BUSYBOX_PACKAGE, BUSYBOX_PACKAGE);
        Debs.unpack(kernelDeb, work.resolve("kernel"));
        Debs.unpack(busyboxDeb, work.resolve("busybox"));
        Path modulesRoot = work.resolve("kernel/lib/modules");
        String version = only(modulesRoot, kernelDeb);
        Path vmlinuz = work.resolve("kernel/boot/vmlinuz-" + version);
        if (!Files.isRegularFile(vmlinuz)) throw new BadInputException(kernelDeb + " has no boot/vmlinuz-" + version);
        Path busybox = work.resolve("busybox/bin/busybox");
        if (!Files.isRegularFile(busybox)) throw new BadInputException(busyboxDeb + " has no bin/busybox");
        return new Unpacked(kernelDeb, busyboxDeb, version, modulesRoot, vmlinuz, busybox);
    }

    private static String only(Path modulesRoot, Path deb) throws IOException {
        List<String> versions = new ArrayList<>();
        if (Files.isDirectory(modulesRoot)) {
            try (Stream<Path> s = Files.list(modulesRoot)) {
                s.forEach(p -> versions.add(p.getFileName().toString()));
            }
        }
        if (versions.size() != 1) throw new BadInputException(deb + ": expected one kernel in lib/modules, found " + versions);
        return versions.get(0);
    }

    static byte[] resource(String name) {
        try (InputStream in = AgentBuilder.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) throw new SystemicException("the agent's " + name + " is missing from the jar");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) Files.deleteIfExists(p);
        } catch (IOException e) {
            // a temporary folder left behind is harmless
        }
    }
}

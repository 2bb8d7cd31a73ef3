package dev.metal.agent;

import dev.metal.model.SystemicException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Builds a small OS image from Debian packages alone, the lab's {@code lab-image}: a GPT disk
 * (sfdisk) whose second partition is an ext4 root (mkfs.ext4 -d) holding Debian's cloud kernel
 * and an initramfs in /boot, busybox, and an init that brings up the network and phones home
 * to the URL in the cloud-init NoCloud seed that metal's agent writes. The first partition is
 * a small empty one, so that the agent has to find the root. Written raw, then xz-compressed.
 */
public final class ImageBuilder {
    /** The root partition's number in the images built here. */
    public static final int ROOT_PARTITION = 2;
    private static final long MIB = 1L << 20;

    /** What was built: the raw disk, its .xz and the .xz's sha256 (what a site plan names). */
    public record Built(Path raw, Path xz, String sha256, long rawBytes, long xzBytes, String kernelVersion) {}

    private ImageBuilder() {}

    /** Builds {@code out/NAME.raw} and {@code out/NAME.raw.xz} from the packages in {@code debs}. */
    public static Built build(Path debs, Path out, String name) {
        Path work = null;
        try {
            Files.createDirectories(out);
            work = Files.createTempDirectory(out, ".image-build");
            AgentBuilder.Unpacked unpacked = AgentBuilder.unpack(debs, work);
            Path modulesRoot = unpacked.modulesRoot();
            String version = unpacked.version();
            List<KernelModules.Module> modules = new KernelModules(modulesRoot.resolve(version)).pick();
            byte[] busybox = Files.readAllBytes(unpacked.busybox());
            StringBuilder moduleList = new StringBuilder();
            for (KernelModules.Module m : modules) moduleList.append(m.path()).append('\n');

            // The root filesystem's tree.
            Path root = work.resolve("root");
            for (String d : List.of("bin", "sbin", "etc", "proc", "sys", "dev", "run", "tmp", "root", "boot",
                    "lib/metal", "var/lib/cloud/seed/nocloud", "etc/systemd/network")) {
                Files.createDirectories(root.resolve(d));
            }
            write(root.resolve("bin/busybox"), busybox, true);
            Files.createSymbolicLink(root.resolve("bin/sh"), Path.of("busybox"));
            write(root.resolve("sbin/init"), AgentBuilder.resource("image-init"), true);
            write(root.resolve("lib/metal/udhcpc.script"), AgentBuilder.resource("udhcpc.script"), true);
            write(root.resolve("lib/metal/modules"), moduleList.toString().getBytes(StandardCharsets.UTF_8), false);
            write(root.resolve("etc/hostname"), "lab-image\n".getBytes(StandardCharsets.UTF_8), false);
            write(root.resolve("etc/os-release"), ("PRETTY_NAME=\"metal lab image\"\nNAME=\"metal lab image\"\nID=metal-lab\n"
                    + "VERSION_ID=1\n").getBytes(StandardCharsets.UTF_8), false);
            for (KernelModules.Module m : modules) {
                Path to = root.resolve("lib/modules/" + version + "/" + m.path());
                Files.createDirectories(to.getParent());
                Files.copy(modulesRoot.resolve(version).resolve(m.path()), to);
            }
            Files.copy(unpacked.vmlinuz(), root.resolve("boot/vmlinuz-" + version));
            Files.createSymbolicLink(root.resolve("boot/vmlinuz"), Path.of("vmlinuz-" + version));
            // The initramfs that mounts the root: busybox, the modules and its init.
            Path initrd = root.resolve("boot/initrd.img-" + version);
            try (Cpio cpio = new Cpio(initrd)) {
                for (String d : List.of("bin", "sbin", "proc", "sys", "dev", "newroot", "lib/metal")) cpio.dir(d);
                cpio.charDevice("dev/console", 0600, 5, 1);
                cpio.file("init", 0755, AgentBuilder.resource("image-initrd-init"));
                cpio.file("bin/busybox", 0755, busybox);
                cpio.symlink("bin/sh", "busybox");
                cpio.file("lib/metal/modules", 0644, moduleList.toString().getBytes(StandardCharsets.UTF_8));
                for (KernelModules.Module m : modules) {
                    cpio.file("lib/modules/" + version + "/" + m.path(), 0644,
                            Files.readAllBytes(modulesRoot.resolve(version).resolve(m.path())));
                }
            }
            Files.createSymbolicLink(root.resolve("boot/initrd.img"), Path.of("initrd.img-" + version));

            // ext4 from the tree, then a GPT disk: partition 1 small and empty, partition 2 the root.
            long treeBytes = size(root);
            long rootMib = Math.max(32, (treeBytes * 3 / 2) / MIB + 16);
            Path fs = work.resolve("root.ext4");
            run(List.of("mkfs.ext4", "-q", "-F", "-L", "root", "-d", root.toString(), "-E", "root_owner=0:0",
                    fs.toString(), rootMib + "M"), "e2fsprogs");
            long diskMib = 1 + 4 + rootMib + 1;
            Path raw = out.resolve(name + ".raw");
            Path rawTmp = work.resolve(name + ".raw");
            try (var f = new java.io.RandomAccessFile(rawTmp.toFile(), "rw")) {
                f.setLength(diskMib * MIB);
            }
            String table = "label: gpt\nstart=2048, size=" + (4 * MIB / 512) + ", type=21686148-6449-6E6F-744E-656564454649\n"
                    + "start=" + (5 * MIB / 512) + ", size=" + (rootMib * MIB / 512)
                    + ", type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=root\n";
            runWithInput(List.of("sfdisk", "-q", rawTmp.toString()), table, "fdisk");
            run(List.of("dd", "if=" + fs, "of=" + rawTmp, "bs=1M", "seek=5", "conv=notrunc,fsync", "status=none"), "coreutils");
            Files.move(rawTmp, raw, StandardCopyOption.REPLACE_EXISTING);
            Path xz = out.resolve(name + ".raw.xz");
            Files.deleteIfExists(xz);
            run(List.of("xz", "-T1", "-1", "-k", "-f", raw.toString()), "xz-utils");
            return new Built(raw, xz, sha256(xz), Files.size(raw), Files.size(xz), version);
        } catch (IOException e) {
            throw new SystemicException("cannot build the image in " + out + ": " + e.getMessage(), e);
        } finally {
            if (work != null) delete(work);
        }
    }

    /** sha256sum of a file, in hex. */
    public static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void write(Path file, byte[] data, boolean executable) throws IOException {
        Files.write(file, data);
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString(
                executable ? "rwxr-xr-x" : "rw-r--r--"));
    }

    private static long size(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            long total = 0;
            for (Path p : s.filter(Files::isRegularFile).toList()) total += Files.size(p);
            return total;
        }
    }

    private static void run(List<String> command, String debianPackage) {
        runWithInput(command, null, debianPackage);
    }

    private static void runWithInput(List<String> command, String input, String debianPackage) {
        List<String> cmd = new ArrayList<>(command);
        Path program = null;
        for (String dir : List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin")) {
            if (Files.isExecutable(Path.of(dir, cmd.get(0)))) {
                program = Path.of(dir, cmd.get(0));
                break;
            }
        }
        if (program == null) {
            throw new SystemicException(cmd.get(0) + " is not installed; install the Debian package " + debianPackage);
        }
        cmd.set(0, program.toString());
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            if (input != null) {
                try (var in = p.getOutputStream()) {
                    in.write(input.getBytes(StandardCharsets.UTF_8));
                }
            } else {
                p.getOutputStream().close();
            }
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new SystemicException(String.join(" ", cmd) + " did not finish in 300 s");
            }
            if (p.exitValue() != 0) throw new SystemicException(String.join(" ", cmd) + " failed: " + output.strip());
        } catch (IOException e) {
            throw new SystemicException("cannot run " + cmd.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SystemicException("interrupted while building the image");
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

package dev.metal.lab;

import dev.metal.bmc.BootDevice;
import dev.metal.bmc.PowerState;
import dev.metal.model.SystemicException;
import dev.metal.util.Log;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A lab server that is a real machine: a qemu VM (TCG, no KVM needed) with Debian's iPXE
 * option ROM on a virtio NIC that carries the server's management MAC, an NVMe disk
 * {@code DIR/disk.img} with the serial the lab's Redfish inventory reports, and its serial
 * console in {@code DIR/console.log}. qemu's user-mode network gives it an address by DHCP
 * with the boot server's iPXE URL as the boot file; the VM reaches the host as 10.0.2.2.
 * Its BMC (the lab's Redfish emulator, ipmi_sim) powers it on and off; the boot device of
 * each power-on comes first in its boot order.
 */
public final class QemuVm {
    static final Path QEMU = Path.of("/usr/bin/qemu-system-x86_64");
    static final Path IPXE_ROM = Path.of("/usr/lib/ipxe/qemu/efi-virtio.rom");
    static final Path OVMF = Path.of("/usr/share/ovmf/OVMF.fd");
    /** The host as the VM sees it through qemu's user-mode network. */
    public static final String HOST_FROM_GUEST = "10.0.2.2";
    private static final long DISK_BYTES = 1L << 30;

    private final String name;
    private final String mac;
    private final Path dir;
    private final URI bootServer;
    private final boolean uefi;
    private final String diskSerial;
    private final Log log;
    private Process process;
    private int starts;
    /** Every VM running in this process, stopped when the JVM exits however it does. */
    private static final java.util.Set<Process> RUNNING = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly), "lab-vm-stop"));
    }

    /**
     * @param bootServer the boot server as the host reaches it; a loopback address becomes
     *                   {@value #HOST_FROM_GUEST} for the VM
     */
    public QemuVm(String name, String mac, Path dir, URI bootServer, boolean uefi, String diskSerial, Log log) {
        this.name = name;
        this.mac = mac;
        this.dir = dir;
        this.bootServer = bootServer;
        this.uefi = uefi;
        this.diskSerial = diskSerial;
        this.log = log;
    }

    /** Fails with what to install when qemu, the iPXE ROM or (for UEFI) OVMF is missing. */
    public static void check(boolean uefi) {
        List<String> missing = missing(uefi);
        if (!missing.isEmpty()) {
            throw new SystemicException("lab VMs need " + String.join(", ", missing) + "; install with 'apt-get install "
                    + "qemu-system-x86 ipxe-qemu" + (uefi ? " ovmf" : "") + "'");
        }
    }

    /** What a VM lacks on this machine, one line each with its Debian package; empty when all is there. */
    public static List<String> missing(boolean uefi) {
        List<String> missing = new ArrayList<>();
        if (!Files.isExecutable(QEMU)) missing.add(QEMU + " (Debian package qemu-system-x86)");
        if (!Files.isReadable(IPXE_ROM)) missing.add(IPXE_ROM + " (Debian package ipxe-qemu)");
        if (uefi && !Files.isReadable(OVMF)) missing.add(OVMF + " (Debian package ovmf)");
        return missing;
    }

    public String name() {
        return name;
    }

    public Path dir() {
        return dir;
    }

    public Path console() {
        return dir.resolve("console.log");
    }

    public Path disk() {
        return dir.resolve("disk.img");
    }

    /** A second disk the VM gets when this file exists (serial DATA + the boot disk's). */
    public Path dataDisk() {
        return dir.resolve("data.img");
    }

    /** The URL the VM's DHCP hands out as its boot file: its iPXE script at the boot server, by MAC. */
    public String bootFileUrl() {
        String host = bootServer.getHost();
        boolean loopback = host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1");
        int port = bootServer.getPort() > 0 ? bootServer.getPort() : 80;
        String path = bootServer.getRawPath() == null ? "" : bootServer.getRawPath().replaceAll("/+$", "");
        return bootServer.getScheme() + "://" + (loopback ? HOST_FROM_GUEST : host) + ":" + port + path + "/ipxe?mac=" + mac;
    }

    public synchronized PowerState powerState() {
        return process != null && process.isAlive() ? PowerState.ON : PowerState.OFF;
    }

    /** How many times the VM was started. */
    public synchronized int starts() {
        return starts;
    }

    /** Starts the VM (a running one is stopped first, as a reset does) booting first from {@code device}. */
    public synchronized void powerOn(BootDevice device) {
        powerOff();
        try {
            Files.createDirectories(dir);
            if (!Files.exists(disk())) {
                try (RandomAccessFile f = new RandomAccessFile(disk().toFile(), "rw")) {
                    f.setLength(DISK_BYTES); // sparse
                }
            }
            Files.deleteIfExists(console());
            process = new ProcessBuilder(command(device)).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("qemu.log").toFile()).start();
            RUNNING.add(process);
            starts++;
            log.debug(name + ": qemu started (pid " + process.pid() + "), boot from " + device);
        } catch (IOException e) {
            throw new SystemicException(name + ": cannot start qemu: " + e.getMessage(), e);
        }
    }

    /** Stops the VM at once, as pulling the power does. */
    public synchronized void powerOff() {
        if (process == null) return;
        Process p = process;
        process = null;
        RUNNING.remove(p);
        p.destroy();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        log.debug(name + ": qemu stopped");
    }

    List<String> command(BootDevice device) {
        boolean network = device == BootDevice.PXE;
        List<String> c = new ArrayList<>(List.of(QEMU.toString(),
                "-name", name,
                "-machine", "pc", "-accel", "tcg", "-m", "256", "-smp", "1",
                "-display", "none", "-monitor", "none", "-nodefaults", "-vga", "std",
                "-serial", "file:" + console(),
                "-no-reboot"));
        if (uefi) c.addAll(List.of("-bios", OVMF.toString()));
        c.addAll(List.of(
                "-netdev", "user,id=net0,bootfile=" + bootFileUrl().replace(",", ",,"),
                // qemu's own choice of ROM for the NIC is Debian's iPXE (efi-virtio.rom, BIOS and UEFI in
                // one); naming it with romfile= keeps SeaBIOS from running it.
                "-device", "virtio-net-pci,netdev=net0,mac=" + mac + ",bootindex=" + (network ? 1 : 2),
                "-drive", "if=none,id=disk0,format=raw,file=" + disk().toString().replace(",", ",,"),
                "-device", "nvme,drive=disk0,serial=" + diskSerial + ",bootindex=" + (network ? 2 : 1)));
        if (Files.exists(dataDisk())) {
            // A second disk, when one is there: a deploy must leave it as it was.
            c.addAll(List.of("-drive", "if=none,id=disk1,format=raw,file=" + dataDisk().toString().replace(",", ",,"),
                    "-device", "nvme,drive=disk1,serial=DATA" + diskSerial));
        }
        return c;
    }

    /** The last {@code lines} lines of the console, for a message about a failed boot. */
    public List<String> consoleTail(int lines) {
        try {
            if (!Files.exists(console())) return List.of();
            String text = new String(Files.readAllBytes(console()), StandardCharsets.UTF_8)
                    .replaceAll("\u001b\\[[0-9;]*[A-Za-z]", "").replace("\r", "");
            List<String> all = text.lines().filter(l -> !l.isBlank()).toList();
            return all.subList(Math.max(0, all.size() - lines), all.size());
        } catch (IOException e) {
            return List.of("(cannot read " + console() + ": " + e.getMessage() + ")");
        }
    }

    @Override
    public String toString() {
        return "vm " + name + " " + mac + " " + powerState();
    }
}

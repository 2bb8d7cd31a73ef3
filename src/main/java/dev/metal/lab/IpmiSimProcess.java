package dev.metal.lab;

import dev.metal.model.SystemicException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One simulated BMC: OpenIPMI's {@code ipmi_sim} (Debian package openipmi) on a UDP port of
 * 127.0.0.1, with its own folder for config, state and the chassis script. The script
 * keeps the simulated server's power and boot device in files of that folder, which
 * {@link #powerOn()} and {@link #bootDevice()} read, so a caller sees what a client did.
 *
 * <p>Notes on ipmi_sim's files, learnt the hard way:
 * <ul>
 * <li>lan.conf: {@code addr IP PORT} must sit between {@code startlan 1} and {@code endlan};
 *   the address is where it listens (IPv4 here, one port per simulator).</li>
 * <li>lan.conf: {@code chassis_control "CMD"} is run through the shell from ipmi_sim's working
 *   directory, so a relative {@code ./chassis.sh} needs the process started in this folder.</li>
 * <li>lan.conf: {@code user N ENABLED "NAME" "PASSWORD" PRIV MAX-SESSIONS AUTHS...}; user 1 is
 *   the anonymous user (empty name), and the names and passwords are quoted.</li>
 * <li>lan.conf: without {@code priv_limit admin} no session may rise to administrator, and
 *   Chassis Control answers "insufficient privilege".</li>
 * <li>sim.emu (the -f command file): {@code mc_add} creates the BMC and {@code mc_enable} must
 *   follow, or the BMC never answers.</li>
 * <li>-s STATE_DIR: without it ipmi_sim persists under /var/lib/ipmi_sim, shared by all of
 *   them; -n keeps it from reading a console on stdin.</li>
 * <li>ipmi_sim never answers Get Channel Cipher Suites; power cycle drops power, then raises
 *   it about a second later through the script; "soft" calls the script with
 *   {@code shutdown 1}; boot flags keep only the device (no persistent or EFI bits, and the
 *   valid bit always reads clear).</li>
 * </ul>
 */
public final class IpmiSimProcess implements AutoCloseable {
    private final Path dir;
    private final String address;
    private final int port;
    private final Process process;

    private IpmiSimProcess(Path dir, String address, int port, Process process) {
        this.dir = dir;
        this.address = address;
        this.port = port;
        this.process = process;
    }

    /**
     * Starts ipmi_sim in {@code dir} (created if needed) on {@code port} of 127.0.0.1 (0: a free
     * one), with one administrator {@code user}/{@code password}, power off and no boot
     * override, and waits until it answers.
     */
    public static IpmiSimProcess start(Path dir, int port, String user, String password) {
        return start(dir, "127.0.0.1", port, user, password);
    }

    /** As {@link #start(Path, int, String, String)}, listening on {@code address} (an IPv4 address of this machine). */
    public static IpmiSimProcess start(Path dir, String address, int port, String user, String password) {
        try {
            Files.createDirectories(dir.resolve("state"));
            int chosen = port == 0 ? freeUdpPort() : port;
            // It holds the BMC password: owner only, like the lab's bmc-password file.
            Path lanConf = dir.resolve("lan.conf");
            Files.deleteIfExists(lanConf);
            Files.createFile(lanConf, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(lanConf, lanConf(address, chosen, user, password));
            Files.writeString(dir.resolve("sim.emu"), String.join("\n",
                    "mc_setbmc 0x20",
                    "mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr",
                    "sel_enable 0x20 1000 0x0a",
                    "mc_enable 0x20", ""));
            Path script = dir.resolve("chassis.sh");
            try (InputStream in = IpmiSimProcess.class.getResourceAsStream("ipmi-chassis.sh")) {
                Files.write(script, in.readAllBytes());
            }
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.writeString(dir.resolve("power"), "0\n");
            Files.writeString(dir.resolve("boot"), "none\n");
            Process process;
            try {
                process = new ProcessBuilder(List.of("ipmi_sim", "-c", "lan.conf", "-f", "sim.emu", "-n",
                        "-s", dir.resolve("state").toString()))
                        .directory(dir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("ipmi_sim.out").toFile())
                        .start();
            } catch (IOException e) {
                throw new SystemicException("cannot run ipmi_sim (install Debian package openipmi): "
                        + e.getMessage(), e);
            }
            IpmiSimProcess sim = new IpmiSimProcess(dir, address, chosen, process);
            sim.awaitReady(Duration.ofSeconds(10));
            return sim;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String lanConf(String address, int port, String user, String password) {
        return String.join("\n",
                "name \"metal-sim-" + address + "-" + port + "\"",
                "set_working_mc 0x20",
                "  startlan 1",
                "    addr " + address + " " + port,
                "    priv_limit admin",
                "    allowed_auths_callback none md2 md5 straight",
                "    allowed_auths_user none md2 md5 straight",
                "    allowed_auths_operator none md2 md5 straight",
                "    allowed_auths_admin none md2 md5 straight",
                "    guid a123456789abcdefa123456789abcdef",
                "  endlan",
                "  chassis_control \"./chassis.sh 0x20\"",
                "  user 1 true  \"\" \"test\" user 10 none md2 md5 straight",
                "  user 2 true  \"" + user + "\" \"" + password + "\" admin 10 none md2 md5 straight",
                "");
    }

    /** A UDP port of 127.0.0.1 that was free a moment ago. */
    public static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return s.getLocalPort();
        }
    }

    /** Waits until the simulator answers an RMCP presence ping (ASF), which needs no session. */
    private void awaitReady(Duration limit) throws IOException {
        byte[] ping = {0x06, 0x00, (byte) 0xff, 0x06, 0x00, 0x00, 0x11, (byte) 0xbe, (byte) 0x80, 0x01, 0x00, 0x00};
        long deadline = System.nanoTime() + limit.toNanos();
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(100);
            InetAddress loopback = InetAddress.getByName(address);
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new SystemicException("ipmi_sim exited with " + process.exitValue() + ": " + output());
                }
                socket.send(new DatagramPacket(ping, ping.length, loopback, port));
                try {
                    socket.receive(new DatagramPacket(new byte[64], 64));
                    return;
                } catch (SocketTimeoutException notYet) {
                    // not listening yet
                }
            }
        }
        close();
        throw new SystemicException("ipmi_sim on " + address + ":" + port + " did not answer within " + limit.toSeconds()
                + " s: " + output());
    }

    private String output() {
        try {
            return Files.readString(dir.resolve("ipmi_sim.out"), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "(no output)";
        }
    }

    public int port() {
        return port;
    }

    public Path dir() {
        return dir;
    }

    /** The simulated server's power, as the chassis script last set it. */
    public boolean powerOn() {
        return "1".equals(read("power"));
    }

    /** Sets the simulated server's power directly, as a person at the rack would. */
    public void setPower(boolean on) {
        write("power", on ? "1" : "0");
    }

    /** The boot device ipmi_sim last gave the script: none, pxe, default (disk), cdrom or bios. */
    public String bootDevice() {
        return read("boot");
    }

    /** What ipmi_sim asked of the chassis script, one call a line. */
    public List<String> chassisLog() {
        Path log = dir.resolve("chassis.log");
        try {
            return Files.exists(log) ? Files.readAllLines(log) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String read(String name) {
        try {
            return Files.readString(dir.resolve(name)).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void write(String name, String value) {
        try {
            Files.writeString(dir.resolve(name), value + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}

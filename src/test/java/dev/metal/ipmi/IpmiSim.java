package dev.metal.ipmi;

import dev.metal.lab.IpmiSimProcess;
import dev.metal.testing.Tools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Simulated BMCs for tests: ipmi_sim processes on loopback (see {@link IpmiSimProcess}),
 * and ipmitool to read them back, so that a test checks metal against the reference
 * client and not only against itself. Both tools are required: a missing one fails.
 */
public final class IpmiSim implements AutoCloseable {
    public static final String USER = "admin";
    public static final String PASSWORD = "secret";

    static {
        // ipmi-java logs every lost packet through SLF4J; metal's main turns that off unless -v.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "off");
        }
    }

    private final IpmiSimProcess process;

    private IpmiSim(IpmiSimProcess process) {
        this.process = process;
    }

    public static IpmiSim start(Path dir) {
        Tools.require("ipmi_sim", "openipmi");
        return new IpmiSim(IpmiSimProcess.start(dir, 0, USER, PASSWORD));
    }

    /** Several simulators, each in dir/bmcN on its own port. */
    public static List<IpmiSim> fleet(Path dir, int count) {
        List<IpmiSim> sims = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) sims.add(start(dir.resolve("bmc" + i)));
        } catch (RuntimeException e) {
            sims.forEach(IpmiSim::close);
            throw e;
        }
        return sims;
    }

    public int port() {
        return process.port();
    }

    public IpmiSimProcess process() {
        return process;
    }

    /** The BMC address as a rack CSV gives it. */
    public String address() {
        return "127.0.0.1";
    }

    /** Runs ipmitool over lanplus against this simulator and returns its stdout. */
    public String ipmitool(String... args) {
        Path ipmitool = Tools.require("ipmitool", "ipmitool");
        List<String> command = new ArrayList<>(List.of(ipmitool.toString(), "-I", "lanplus", "-H", "127.0.0.1",
                "-p", Integer.toString(port()), "-U", USER, "-P", PASSWORD, "-C", "3"));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("ipmitool " + String.join(" ", args) + " did not finish in 30 s");
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new AssertionError("ipmitool " + String.join(" ", args) + " failed: " + err + out);
            }
            return out;
        } catch (IOException e) {
            throw new AssertionError("cannot run ipmitool (install Debian package ipmitool): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** "on" or "off", as ipmitool reads it. */
    public String ipmitoolPower() {
        String out = ipmitool("chassis", "power", "status").strip();
        if (out.endsWith(" on")) return "on";
        if (out.endsWith(" off")) return "off";
        throw new AssertionError("unexpected ipmitool answer: " + out);
    }

    /** The boot device selector ipmitool reads from boot parameter 5, e.g. "Force PXE". */
    public String ipmitoolBootDevice() {
        for (String line : ipmitool("chassis", "bootparam", "get", "5").split("\n")) {
            int at = line.indexOf("Boot Device Selector :");
            if (at >= 0) return line.substring(at + "Boot Device Selector :".length()).strip();
        }
        throw new AssertionError("ipmitool did not show a boot device selector");
    }

    @Override
    public void close() {
        process.close();
    }
}

package dev.metal.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.metal.agent.AgentBuilder;
import dev.metal.cli.CliRun;
import dev.metal.testing.Tools;
import dev.metal.util.Json;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A lab whose servers are qemu VMs, made ready the way a user does it: import, discover,
 * scrape, match, site set. The agent is built once from the downloaded Debian packages.
 */
final class VmFixture implements AutoCloseable {
    final Path dir;
    final Path state;
    final int bootPort;
    final Lab lab;

    VmFixture(Path dir, int hosts, boolean ipmi, boolean uefi, boolean labImage) throws IOException {
        Tools.require("qemu-system-x86_64", "qemu-system-x86");
        if (!Files.exists(QemuVm.IPXE_ROM)) throw new AssertionError(QemuVm.IPXE_ROM + " missing: install ipxe-qemu");
        if (uefi && !Files.exists(QemuVm.OVMF)) throw new AssertionError(QemuVm.OVMF + " missing: install ovmf");
        if (ipmi) Tools.require("ipmi_sim", "openipmi");
        Tools.deb("linux-image-*-cloud-amd64");
        Tools.deb("busybox-static");
        this.dir = dir;
        Path agent = dir.resolve("agent");
        AgentBuilder.build(Tools.debs(), agent);
        bootPort = freePort();
        Lab.Options options = new Lab.Options(hosts, 1, 0, List.of(), dir.resolve("lab"), ipmi,
                URI.create("http://127.0.0.1:" + bootPort), freePort(),
                ipmi ? IpmiSimProcess.freeUdpPort() : Lab.DEFAULT_IPMI_PORT, Duration.ofMillis(200))
                .withVms(hosts, uefi, agent);
        // The OS image 'lab-image' takes a while to build; only the classes that deploy it build it.
        lab = Lab.start(labImage ? options : options.withoutLabImage());
        try {
            lab.awaitReady(Duration.ofSeconds(30));
            state = dir.resolve("state.json");
            LabState.ready(state, lab, dir.resolve("lab"));
        } catch (RuntimeException | Error e) {
            lab.close();
            throw e;
        }
    }

    /** 'metal provision HOST --os OS --via VIA' with the boot server in-process; the JSON report's slot. */
    JsonNode provision(String host, String os, String via, String timeout) throws IOException {
        return provision(host, os, via, timeout, null);
    }

    /** The same, relying on a running 'metal serve' at {@code server} when it is not null. */
    JsonNode provision(String host, String os, String via, String timeout, String server) throws IOException {
        List<String> args = new java.util.ArrayList<>(List.of("provision", host, "--os", os, "--via", via, "--retries", "0",
                "--timeout", timeout, "--no-ssh-keys", "--json"));
        if (server != null) args.addAll(List.of("--server", server));
        else args.addAll(List.of("--listen", "127.0.0.1:" + bootPort, "--files", dir.resolve("lab/files").toString()));
        CliRun run = CliRun.metal(state, args.toArray(String[]::new));
        if (run.exitCode != 0 && run.exitCode != 1 && run.exitCode != 3) throw new AssertionError(run + console(host));
        return Json.mapper().readTree(run.out).get("slots").get(0);
    }

    /** The last lines of a VM's console, for assertion messages. */
    String console(String host) {
        Lab.Server s = lab.server(host);
        if (s == null || s.vm == null) return "";
        return "\n--- last lines of " + s.vm.console() + " ---\n" + String.join("\n", s.vm.consoleTail(40));
    }

    JsonNode host(String host) throws IOException {
        CliRun run = CliRun.metal(state, "--json", "host", "show", host);
        ok(run);
        return Json.mapper().readTree(run.out);
    }

    static void ok(CliRun run) {
        assertEquals(0, run.exitCode, run.toString());
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        lab.close();
    }
}

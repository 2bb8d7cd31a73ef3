package dev.metal.lab;

import com.fasterxml.jackson.databind.JsonNode;
import dev.metal.agent.AgentBuilder;
import dev.metal.model.BadInputException;
import dev.metal.model.SystemicException;
import dev.metal.util.Json;
import dev.metal.util.Log;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * 'metal demo': a small lab, and the real commands run against it one step after another,
 * each shown with its command line, its output and its time. The lab's BMCs and the boot
 * server take ports that are free, so the demo runs beside any other lab or test. With
 * {@code vm}, lab server 1 is a real qemu VM that boots metal's agent beside the simulated fleet.
 */
public final class Demo {
    private static final List<String> KINDS = List.of("preseed", "ipxe", "networkd", "cloud-init", "dhcp", "frr");

    /** Runs one metal command (its arguments, without 'metal'), with its stdout and stderr going to {@code out}. */
    @FunctionalInterface
    public interface StepRunner {
        int run(List<String> args, PrintWriter out);
    }

    /** One step as run: the command line shown, its exit code and time. */
    public record Step(String title, String command, int exitCode, long millis) {}

    /**
     * How the VM booted: its console, and each stage's time after its provisioning began, from
     * the boot server's journal (script, booted, working, done, phonedHome; those reached).
     */
    public record VmBoot(String hostname, String firmware, Path console, Map<String, Long> stagesMs) {}

    /** What the demo did, where it left its state, the host that misses a DIMM; {@code vm} null without --vm. */
    public record Report(Path home, List<Step> steps, long totalMs, String dimmHost, VmBoot vm) {
        public Path state() {
            return home.resolve("state.json");
        }
    }

    /** The lab server that is a VM with --vm, and the one that misses a DIMM then (server 1 otherwise). */
    static final int VM_SERVER = 1;
    static final int DIMM_SERVER_WITH_VM = 3;

    private final Path home;
    private final int hosts;
    private final boolean verbose;
    private final boolean vm;
    private final Log log;
    private final List<Step> done = new ArrayList<>();
    private StepRunner runner;
    private PrintWriter out;

    /** @param verbose whether the commands run with -v */
    public Demo(Path dir, int hosts, boolean verbose, Log log) {
        this(dir, hosts, false, verbose, log);
    }

    /** @param vm whether lab server 1 is a real qemu VM booting metal's agent */
    public Demo(Path dir, int hosts, boolean vm, boolean verbose, Log log) {
        if (hosts < 4 || hosts > 500) throw new BadInputException("--hosts must be between 4 and 500");
        this.home = dir.toAbsolutePath().normalize();
        this.hosts = hosts;
        this.vm = vm;
        this.verbose = verbose;
        this.log = log;
    }

    /**
     * Fails before anything starts when this machine cannot run the VM: qemu, the iPXE ROM, and
     * what the agent is built from (the Debian packages' .deb files, dpkg-deb, kexec).
     */
    static void checkVm(Path debs) {
        List<String> programs = new ArrayList<>(QemuVm.missing(false));
        List<String> downloads = new ArrayList<>();
        for (String m : AgentBuilder.missing(debs)) {
            // The demo has no --debs: the folder is $METAL_DEBS or the default.
            if (m.contains(".deb in ")) downloads.add(m.replace("(or give --debs DIR)", "(or set METAL_DEBS to a folder that has it)"));
            else programs.add(m);
        }
        if (programs.isEmpty() && downloads.isEmpty()) return;
        List<String> all = new ArrayList<>(programs);
        all.addAll(downloads);
        throw new SystemicException("metal demo --vm boots a qemu VM into metal's agent, and this machine lacks: "
                + String.join("; ", all) + (programs.isEmpty() ? "" : ". Install the Debian packages with "
                + "'apt-get install qemu-system-x86 ipxe-qemu kexec-tools'") + ". 'metal demo' without --vm needs only a JDK.");
    }

    /** Runs every step through {@code runner}, telling the walk-through to {@code out}. */
    public Report run(StepRunner stepRunner, PrintWriter walkThrough) throws IOException {
        this.runner = stepRunner;
        this.out = walkThrough;
        if (vm) checkVm(AgentBuilder.defaultDebs());
        DemoKit.prepare(home);
        // The lab's machines must know the boot server's address before it runs: the port is
        // held here until the provision step serves on it.
        ServerSocket bootPort = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        int port = bootPort.getLocalPort();
        String bootUrl = "http://127.0.0.1:" + port;
        // The lab writes the site plan, profiles and boot images for its fleet beside its rack CSV.
        Path labDir = home.resolve("lab");
        // Servers alternate models (odd: 2U storage, even: 1U compute). Server 1 loses a DIMM,
        // so match names it; compute server 2 fails its install, so provision retries elsewhere.
        // With --vm server 1 is the VM, and server 3 loses the DIMM instead.
        int count = Math.min(2, hosts / 2 - 1);
        List<String> faults = List.of((vm ? DIMM_SERVER_WITH_VM : 1) + ":missing-dimm", "2:install-fails");
        Lab.Options options = Lab.Options.parse(hosts, 2, 0, faults, labDir, false, bootUrl, 0, Lab.DEFAULT_IPMI_PORT,
                Duration.ofSeconds(2));
        // The VM boots the agent only: the lab image it could also install is left out, to start sooner.
        if (vm) options = options.withVms(1, false, null).withoutLabImage();
        long begin = System.nanoTime();
        VmBoot vmBoot = null;
        String dimmHost = null;
        header("Bring up the lab: " + hosts + " emulated servers with Redfish BMCs" + (vm
                ? "; server 1 is a real qemu VM (BIOS, iPXE), its agent built from " + AgentBuilder.defaultDebs() : ""));
        long t = System.nanoTime();
        try (bootPort; Lab lab = Lab.start(options, log)) {
            lab.awaitReady(Duration.ofSeconds(60));
            long ms = (System.nanoTime() - t) / 1_000_000;
            int bmcPort = lab.bmcPort();
            String labLine = "metal lab up --hosts " + hosts + " --racks 2 --fault " + faults.get(0) + " --fault "
                    + faults.get(1) + " --dir " + labDir + " --bmc-port " + bmcPort + " --boot-server " + bootUrl
                    + " --install-time 2s" + (vm ? " --vm 1" : "");
            out.println("$ " + labLine);
            for (Lab.Server s : lab.servers()) {
                out.printf("    %s  %-14s  BMC https://%s:%d  %s%s%s%n", s.hostname, s.model.name(), s.ip, bmcPort,
                        s.serial(), s.faults.isEmpty() ? "" : "  fault: " + s.faults.iterator().next().spec(),
                        s.vm == null ? "" : "  qemu VM, console " + s.vm.console());
            }
            footer(0, ms);
            done.add(new Step("lab up", labLine, 0, ms));
            dimmHost = lab.servers().get(vm ? DIMM_SERVER_WITH_VM - 1 : 0).hostname;

            for (Planned step : steps(lab, labDir, count, port)) {
                if (step.servesBoot()) bootPort.close(); // its in-process boot server takes the port now
                run(step.title(), step.expected(), step.args());
                if (step.args()[0].equals("provision") && List.of(step.args()).contains("agent")) {
                    vmBoot = vmBoot(lab.servers().get(VM_SERVER - 1));
                }
            }
        }
        long total = (System.nanoTime() - begin) / 1_000_000;
        out.flush();
        return new Report(home, List.copyOf(done), total, dimmHost, vmBoot);
    }

    /** The VM's boot as the boot server's journal has it, shown under the provision step. */
    private VmBoot vmBoot(Lab.Server server) {
        StringWriter json = new StringWriter();
        runner.run(List.of("--state", home.resolve("state.json").toString(), "--json", "host", "history", server.hostname),
                new PrintWriter(json, true));
        Map<String, Long> stages = new LinkedHashMap<>();
        try {
            Instant start = null;
            for (JsonNode e : Json.mapper().readTree(json.toString()).path("events")) {
                String event = e.path("event").asText();
                Instant at = Instant.parse(e.path("time").asText());
                // The last provisioning of the host: its claim starts the clock.
                if (event.equals("provision-claimed")) {
                    start = at;
                    stages.clear();
                } else if (start != null && event.equals("boot-stage")) {
                    stages.put(e.path("detail").path("stage").asText(), Duration.between(start, at).toMillis());
                } else if (start != null && event.equals("phoned-home")) {
                    stages.put("phonedHome", Duration.between(start, at).toMillis());
                }
            }
        } catch (IOException | RuntimeException e) {
            log.warn("cannot read the history of " + server.hostname + ": " + e.getMessage());
        }
        VmBoot boot = new VmBoot(server.hostname, "BIOS", server.vm.console(),
                java.util.Collections.unmodifiableMap(new LinkedHashMap<>(stages)));
        header("How the VM booted: " + server.hostname + " (qemu, TCG, BIOS with Debian's iPXE ROM)");
        List<String> parts = new ArrayList<>();
        for (String[] s : new String[][] {{"script", "iPXE script fetched (firmware, DHCP)"}, {"booted", "agent up (kernel, initrd, NIC)"},
            {"working", "agent fetched its config"}, {"done", "agent done"}, {"phonedHome", "phoned home"}}) {
            Long ms = stages.get(s[0]);
            if (ms != null) parts.add(String.format("    %6.1f s  %s", ms / 1000.0, s[1]));
        }
        out.println("    after the provision claimed it (power on over Redfish):");
        for (String p : parts) out.println(p);
        out.println("    console: " + server.vm.console());
        for (String l : server.vm.consoleTail(200)) {
            if (l.contains("metal-agent")) out.println("      | " + l);
        }
        out.flush();
        return boot;
    }

    /** One command of the demo: what it shows, the exit codes that are fine, and whether it serves the boot port. */
    private record Planned(String title, Set<Integer> expected, boolean servesBoot, String... args) {}

    /** The commands the demo runs after 'lab up', in order. */
    private List<Planned> steps(Lab lab, Path labDir, int count, int bootPort) {
        List<Planned> planned = new ArrayList<>();
        planned.add(new Planned("Import the rack CSV the lab wrote (no BMC addresses yet)", Set.of(0), false,
                "import", lab.rackCsv().toString()));
        planned.add(new Planned("Discover each BMC's address from the DHCP leases, by BMC MAC", Set.of(0), false,
                "discover", "--leases", lab.leases().toString(), "--port", Integer.toString(lab.bmcPort())));
        planned.add(new Planned("Scrape every BMC over Redfish (HTTPS; certificates pinned on first use)", Set.of(0), false,
                "scrape", "--all"));
        planned.add(new Planned("Match inventories against the hardware profiles in " + labDir.resolve("profiles")
                + " (exit 3 expected: one server misses a DIMM)", Set.of(0, 3), false, "match", "--all", "--profiles",
                labDir.resolve("profiles").toString()));
        planned.add(new Planned("Load the site plan: rack networks, BGP numbers, boot server, OS catalog", Set.of(0), false,
                "site", "set", labDir.resolve("site.yaml").toString()));
        for (String kind : KINDS) {
            planned.add(new Planned("Render " + kind + " for every host" + (kind.equals("preseed")
                    ? " (here and below, the host that matched no profile is passed over)" : ""), Set.of(0), false,
                    "render", kind, "--all", "--out", home.resolve("rendered").resolve(kind).toString()));
        }
        planned.add(new Planned("Provision " + count + " compute hosts: PXE boot over Redfish, install, phone home"
                + " (one install fails: that host is quarantined and another takes its place)", Set.of(0), true,
                "provision", "--profile", "lab-1u-compute", "--count", Integer.toString(count), "--os", "debian-12",
                "--listen", "127.0.0.1:" + bootPort, "--files", labDir.resolve("files").toString(), "--timeout", "10s"));
        if (vm) {
            Lab.Server s = lab.servers().get(VM_SERVER - 1);
            planned.add(new Planned("Provision " + s.hostname + ", the real qemu VM: its DHCP hands it the iPXE script"
                    + " URL, iPXE boots metal's agent (OS 'agent'), which reports its stages and phones home",
                    Set.of(0), true, "provision", s.hostname, "--os", "agent", "--listen", "127.0.0.1:" + bootPort,
                    "--files", labDir.resolve("files").toString(), "--timeout", "300s"));
        }
        planned.add(new Planned("Where every host stands now", Set.of(0), false, "host", "list"));
        return planned;
    }

    /** Runs one real metal command against the demo's state and shows it. */
    private void run(String title, Set<Integer> expected, String... args) {
        Path state = home.resolve("state.json");
        header(title);
        String line = "metal --state " + state + " " + String.join(" ", args);
        out.println("$ " + line);
        out.flush();
        StringWriter captured = new StringWriter();
        List<String> all = new ArrayList<>(List.of("--state", state.toString()));
        all.addAll(List.of(args));
        if (verbose) all.add("-v");
        long t = System.nanoTime();
        int code = runner.run(all, new PrintWriter(captured, true));
        long ms = (System.nanoTime() - t) / 1_000_000;
        for (String l : captured.toString().split("\n", -1)) if (!l.isEmpty()) out.println("    " + l);
        footer(code, ms);
        done.add(new Step(title, line, code, ms));
        if (!expected.contains(code)) {
            throw new SystemicException("demo step '" + String.join(" ", args) + "' ended with exit " + code
                    + "; the state is in " + state);
        }
    }

    private void header(String title) {
        out.println();
        out.println("== " + title);
    }

    private void footer(int code, long ms) {
        out.printf("   (exit %d, %.2f s)%n", code, ms / 1000.0);
        out.flush();
    }
}

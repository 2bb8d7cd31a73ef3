package dev.metal.lab;

import dev.metal.model.BadInputException;
import dev.metal.model.SystemicException;
import dev.metal.util.Log;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * 'metal demo': a small lab, and the real commands run against it one step after another,
 * each shown with its command line, its output and its time. The lab's BMCs and the boot
 * server take ports that are free, so the demo runs beside any other lab or test.
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

    /** What the demo did, and where it left its state. */
    public record Report(Path home, List<Step> steps, long totalMs) {
        public Path state() {
            return home.resolve("state.json");
        }
    }

    private final Path home;
    private final int hosts;
    private final boolean verbose;
    private final Log log;
    private final List<Step> done = new ArrayList<>();
    private StepRunner runner;
    private PrintWriter out;

    /** @param verbose whether the commands run with -v */
    public Demo(Path dir, int hosts, boolean verbose, Log log) {
        if (hosts < 4 || hosts > 500) throw new BadInputException("--hosts must be between 4 and 500");
        this.home = dir.toAbsolutePath().normalize();
        this.hosts = hosts;
        this.verbose = verbose;
        this.log = log;
    }

    /** Runs every step through {@code runner}, telling the walk-through to {@code out}. */
    public Report run(StepRunner stepRunner, PrintWriter walkThrough) throws IOException {
        this.runner = stepRunner;
        this.out = walkThrough;
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
        int count = Math.min(2, hosts / 2 - 1);
        List<String> faults = List.of("1:missing-dimm", "2:install-fails");
        Lab.Options options = Lab.Options.parse(hosts, 2, 0, faults, labDir, false, bootUrl, 0, Lab.DEFAULT_IPMI_PORT,
                Duration.ofSeconds(2));
        long begin = System.nanoTime();
        header("Bring up the lab: " + hosts + " emulated servers with Redfish BMCs");
        long t = System.nanoTime();
        try (bootPort; Lab lab = Lab.start(options, log)) {
            lab.awaitReady(Duration.ofSeconds(60));
            long ms = (System.nanoTime() - t) / 1_000_000;
            int bmcPort = lab.bmcPort();
            String labLine = "metal lab up --hosts " + hosts + " --racks 2 --fault 1:missing-dimm --fault 2:install-fails"
                    + " --dir " + labDir + " --bmc-port " + bmcPort + " --boot-server " + bootUrl + " --install-time 2s";
            out.println("$ " + labLine);
            for (Lab.Server s : lab.servers()) {
                out.printf("    %s  %-14s  BMC https://%s:%d  %s%s%n", s.hostname, s.model.name(), s.ip, bmcPort,
                        s.serial(), s.faults.isEmpty() ? "" : "  fault: " + s.faults.iterator().next().spec());
            }
            footer(0, ms);
            done.add(new Step("lab up", labLine, 0, ms));

            for (Planned step : steps(lab, labDir, count, port)) {
                if (step.servesBoot()) bootPort.close(); // its in-process boot server takes the port now
                run(step.title(), step.expected(), step.args());
            }
        }
        long total = (System.nanoTime() - begin) / 1_000_000;
        out.flush();
        return new Report(home, List.copyOf(done), total);
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

package dev.metal.cli;

import dev.metal.boot.BootServer;
import dev.metal.lab.DemoKit;
import dev.metal.lab.Lab;
import dev.metal.model.BadInputException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", description = {"Try metal end to end on this machine, with nothing but a JDK.",
    "It brings up a small lab (emulated servers with Redfish BMCs on 127.77.R.N,",
    "one with a missing DIMM, one whose install fails), then runs the real",
    "commands against it: import, discover, scrape, match, site set, render and",
    "provision, showing each command line, its output and its time. It leaves",
    "DIR/state.json and DIR/rendered to explore with the other commands."})
public final class DemoCommand extends BaseCommand {
    private static final List<String> KINDS = List.of("preseed", "ipxe", "networkd", "cloud-init", "dhcp", "frr");

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = "metal-demo",
            description = "Where the demo keeps its state and files (default: ${DEFAULT-VALUE}); an earlier "
                    + "demo's folder is started over.")
    Path dir;

    @Option(names = "--hosts", paramLabel = "N", defaultValue = "6",
            description = "Lab servers, over 2 racks (default: ${DEFAULT-VALUE}; 4 to 500).")
    int hosts;

    private PrintWriter out;

    /** One step as run: the command line shown, its exit code and time. */
    record Step(String title, String command, int exitCode, long millis) {}

    @Override
    protected Result execute() throws IOException {
        if (hosts < 4 || hosts > 500) throw new BadInputException("--hosts must be between 4 and 500");
        // --json keeps stdout for the result; the walk-through goes to stderr then.
        out = root().json() ? context().err() : context().out();
        Path home = dir.toAbsolutePath().normalize();
        DemoKit.prepare(home);
        int bootPort = freeOr(BootServer.DEFAULT_PORT);
        int bmcPort = freeOr(Lab.DEFAULT_BMC_PORT);
        String bootUrl = "http://127.0.0.1:" + bootPort;
        // The lab writes the site plan, profiles and boot images for its fleet beside its rack CSV.
        Path labDir = home.resolve("lab");

        // Servers alternate models (odd: 2U storage, even: 1U compute). Server 1 loses a DIMM,
        // so match names it; compute server 2 fails its install, so provision retries elsewhere.
        int compute = hosts / 2;
        int count = Math.min(2, compute - 1);
        List<String> faults = List.of("1:missing-dimm", "2:install-fails");
        Lab.Options options = LabCommand.options(hosts, 2, 0, faults, labDir, false, bootUrl, bmcPort,
                Lab.DEFAULT_IPMI_PORT, Duration.ofSeconds(2));
        List<Step> steps = new ArrayList<>();
        long begin = System.nanoTime();
        header("Bring up the lab: " + hosts + " emulated servers with Redfish BMCs");
        String labLine = "metal lab up --hosts " + hosts + " --racks 2 --fault 1:missing-dimm --fault 2:install-fails"
                + " --dir " + labDir + (bmcPort != Lab.DEFAULT_BMC_PORT ? " --bmc-port " + bmcPort : "")
                + (bootPort != BootServer.DEFAULT_PORT ? " --boot-server " + bootUrl : "") + " --install-time 2s";
        out.println("$ " + labLine);
        long t = System.nanoTime();
        try (Lab lab = Lab.start(options)) {
            lab.awaitReady(Duration.ofSeconds(60));
            long ms = (System.nanoTime() - t) / 1_000_000;
            for (Lab.Server s : lab.servers()) {
                out.printf("    %s  %-14s  BMC https://%s:%d  %s%s%n", s.hostname, s.model.name(), s.ip, bmcPort,
                        s.serial(), s.faults.isEmpty() ? "" : "  fault: " + s.faults.iterator().next().spec());
            }
            footer(0, ms);
            steps.add(new Step("lab up", labLine, 0, ms));

            run(steps, "Import the rack CSV the lab wrote (no BMC addresses yet)", Set.of(0),
                    "import", lab.rackCsv().toString());
            run(steps, "Discover each BMC's address from the DHCP leases, by BMC MAC", Set.of(0),
                    "discover", "--leases", lab.leases().toString(), "--port", Integer.toString(bmcPort));
            run(steps, "Scrape every BMC over Redfish (HTTPS; certificates pinned on first use)", Set.of(0),
                    "scrape", "--all");
            run(steps, "Match inventories against the hardware profiles in " + labDir.resolve("profiles")
                    + " (exit 3 expected: one server misses a DIMM)", Set.of(0, 3), "match", "--all", "--profiles", labDir.resolve("profiles").toString());
            run(steps, "Load the site plan: rack networks, BGP numbers, boot server, OS catalog", Set.of(0),
                    "site", "set", labDir.resolve("site.yaml").toString());
            for (String kind : KINDS) {
                run(steps, "Render " + kind + " for every host" + (kind.equals("preseed")
                        ? " (here and below, the host that matched no profile is passed over)" : ""),
                        Set.of(0),
                        "render", kind, "--all", "--out", home.resolve("rendered").resolve(kind).toString());
            }
            run(steps, "Provision " + count + " compute hosts: PXE boot over Redfish, install, phone home"
                    + " (one install fails: that host is quarantined and another takes its place)", Set.of(0),
                    "provision", "--profile", "lab-1u-compute", "--count", Integer.toString(count), "--os", "debian-12",
                    "--listen", "127.0.0.1:" + bootPort, "--files", labDir.resolve("files").toString(),
                    "--timeout", "10s");
            run(steps, "Where every host stands now", Set.of(0), "host", "list");
        }
        long total = (System.nanoTime() - begin) / 1_000_000;
        out.flush();
        return new DemoResult(home, steps, total);
    }

    /** Runs one real metal command in-process against the demo's state file and shows it. */
    private void run(List<Step> steps, String title, Set<Integer> expected, String... args) {
        Path state = dir.toAbsolutePath().normalize().resolve("state.json");
        header(title);
        String line = "metal --state " + state + " " + String.join(" ", args);
        out.println("$ " + line);
        out.flush();
        StringWriter captured = new StringWriter();
        List<String> all = new ArrayList<>(List.of("--state", state.toString()));
        all.addAll(List.of(args));
        if (root().verbose()) all.add("-v");
        long t = System.nanoTime();
        PrintWriter capture = new PrintWriter(captured, true);
        int code = Cli.run(new Context(capture, capture, context().env(), context().home()), all.toArray(String[]::new));
        long ms = (System.nanoTime() - t) / 1_000_000;
        for (String l : captured.toString().split("\n", -1)) if (!l.isEmpty()) out.println("    " + l);
        footer(code, ms);
        steps.add(new Step(title, line, code, ms));
        if (!expected.contains(code)) {
            throw new IllegalStateException("demo step '" + String.join(" ", args) + "' ended with exit " + code
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

    /** {@code port} on 127.0.0.1 when it is free, else any free port (a running 'metal serve' or lab keeps its own). */
    private static int freeOr(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
            return port;
        } catch (IOException taken) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
                return s.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static final class DemoResult implements Result {
        private final Path home;
        private final List<Step> steps;
        private final long totalMs;

        DemoResult(Path home, List<Step> steps, long totalMs) {
            this.home = home;
            this.steps = steps;
            this.totalMs = totalMs;
        }

        @Override
        public Object json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("dir", home.toString());
            m.put("state", home.resolve("state.json").toString());
            m.put("steps", steps);
            m.put("millis", totalMs);
            return m;
        }

        @Override
        public void print(PrintWriter out) {
            String metal = "metal --state " + home.resolve("state.json");
            out.println();
            out.printf("Demo done in %.1f s. The lab is stopped; the state and the rendered files stay in %s.%n",
                    totalMs / 1000.0, home);
            out.println("Explore:");
            out.println("  " + metal + " host list");
            out.println("  " + metal + " host show lab-r1-n02");
            out.println("  " + metal + " host history lab-r1-n02");
            out.println("  " + metal + " inventory show lab-r1-n01");
            out.println("  " + metal + " match lab-r1-n01 --profiles " + home.resolve("lab").resolve("profiles"));
            out.println("  ls " + home.resolve("rendered"));
            out.println("Run a lab of your own: metal lab up --dir ./metal-lab (then follow what it prints).");
        }
    }
}

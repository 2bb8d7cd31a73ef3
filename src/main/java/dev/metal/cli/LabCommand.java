package dev.metal.cli;

import dev.metal.boot.BootServer;
import dev.metal.lab.Lab;
import dev.metal.model.BadInputException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "lab", description = {"Run a fleet of emulated servers here, to try metal without hardware.",
    "Each server has a Redfish BMC over HTTPS on its own loopback address",
    "127.77.R.N (with --ipmi an ipmi_sim there too) and a machine behind it that",
    "PXE boots from the boot server."},
        subcommands = {LabCommand.Up.class, LabCommand.Down.class})
public final class LabCommand {
    static final String DEFAULT_DIR = "metal-lab";

    @Command(name = "up", description = {"Start the lab in the foreground until interrupted (Ctrl-C, SIGTERM).",
        "It writes DIR/rack.csv, DIR/dnsmasq.leases (BMC MAC -> 127.77.R.N),",
        "DIR/bmc-password, DIR/lab.pid, and a site plan, profiles and boot images for",
        "the fleet (DIR/site.yaml, DIR/profiles, DIR/files), prints the commands to run against it,",
        "and a line 'ready' once every BMC answers.",
        "Faults (--fault N:KIND, N from 1): missing-dimm, nic-wrong-slot, dead-disk,",
        "bmc-timeout, no-phone-home, install-fails."})
    static final class Up extends BaseCommand {
        @Option(names = "--hosts", paramLabel = "N", defaultValue = "6", description = "Servers (default: ${DEFAULT-VALUE}).")
        int hosts;

        @Option(names = "--racks", paramLabel = "R", defaultValue = "0",
                description = "Racks to spread them over (default: one per " + Lab.PER_RACK_DEFAULT + " servers).")
        int racks;

        @Option(names = "--latency", paramLabel = "MS", defaultValue = "0",
                description = "Added to every BMC request, in milliseconds (default: ${DEFAULT-VALUE}).")
        long latency;

        @Option(names = "--fault", paramLabel = "N:KIND", description = "Inject a fault into lab server N (repeatable).")
        List<String> faults = new ArrayList<>();

        @Option(names = "--dir", paramLabel = "DIR", defaultValue = DEFAULT_DIR,
                description = "Where the lab writes its files (default: ${DEFAULT-VALUE}).")
        Path dir;

        @Option(names = "--ipmi", description = "Give every server an IPMI BMC too (ipmi_sim, Debian package openipmi).")
        boolean ipmi;

        @Option(names = "--boot-server", paramLabel = "URL", defaultValue = "http://" + BootServer.DEFAULT_LISTEN,
                description = "Where the machines find their boot server (default: ${DEFAULT-VALUE}).")
        String bootServer;

        @Option(names = "--bmc-port", paramLabel = "P", defaultValue = "" + Lab.DEFAULT_BMC_PORT,
                description = "The Redfish port of every BMC (default: ${DEFAULT-VALUE}).")
        int bmcPort;

        @Option(names = "--ipmi-port", paramLabel = "P", defaultValue = "" + Lab.DEFAULT_IPMI_PORT,
                description = "The IPMI UDP port of every BMC (default: ${DEFAULT-VALUE}).")
        int ipmiPort;

        @Option(names = "--install-time", paramLabel = "DUR", converter = DurationConverter.class, defaultValue = "3s",
                description = "How long a machine takes to install before it phones home (default: ${DEFAULT-VALUE}).")
        Duration installTime;

        @Option(names = "--for", paramLabel = "DUR", converter = DurationConverter.class, hidden = true,
                description = "Stop after this long (for scripts and tests).")
        Duration duration;

        @Override
        protected Result execute() throws InterruptedException {
            Lab.Options options = options(hosts, racks, latency, faults, dir, ipmi, bootServer, bmcPort, ipmiPort,
                    installTime);
            long start = System.nanoTime();
            Lab lab = Lab.start(options);
            try (UntilStopped running = new UntilStopped(lab::close)) {
                lab.awaitReady(Duration.ofSeconds(60 + hosts / 10));
                PrintWriter out = context().out();
                describe(lab, out, System.nanoTime() - start);
                // Scripts wait for this line.
                out.println("ready");
                out.flush();
                running.await(duration);
            }
            return Results.message("lab stopped", Map.of("stopped", dir.toAbsolutePath().toString()));
        }

        private static void describe(Lab lab, PrintWriter out, long nanos) {
            Lab.Options o = lab.options();
            Path dir = o.dir().toAbsolutePath();
            List<Lab.Server> servers = lab.servers();
            Lab.Server first = servers.get(0);
            Lab.Server last = servers.get(servers.size() - 1);
            out.printf("lab: %d servers in %d racks, up in %.1f s%n", servers.size(), o.rackCount(), nanos / 1e9);
            out.printf("  Redfish BMCs: https://%s:%d .. https://%s:%d (user %s, password in %s)%n", first.ip, o.bmcPort(),
                    last.ip, o.bmcPort(), Lab.USER, dir.resolve("bmc-password"));
            if (o.ipmi()) out.printf("  IPMI BMCs:    %s .. %s, UDP port %d%n", first.ip, last.ip, o.ipmiPort());
            out.printf("  boot server:  %s (start it with 'metal serve' or let 'metal provision' run it)%n", o.bootServer());
            for (Lab.Fault f : o.faults()) {
                out.printf("  fault:        %s on %s%n", f.kind().spec(), servers.get(f.server() - 1).hostname);
            }
            String state = "metal --state " + dir.resolve("state.json");
            out.println("Try:");
            out.println("  " + state + " import " + dir.resolve("rack.csv"));
            out.println("  " + state + " discover --leases " + dir.resolve("dnsmasq.leases") + " --port " + o.bmcPort());
            out.println("  " + state + " scrape --all");
            out.println("  " + state + " match --all --profiles " + dir.resolve("profiles"));
            out.println("  " + state + " site set " + dir.resolve("site.yaml"));
            out.println("  " + state + " provision --profile lab-1u-compute --count 2 --os debian-12 --files "
                    + dir.resolve("files") + (o.bootServer().getPort() == BootServer.DEFAULT_PORT ? "" : " --listen "
                    + o.bootServer().getHost() + ":" + o.bootServer().getPort()));
            out.println("Stop it with Ctrl-C or 'metal lab down --dir " + o.dir() + "'.");
        }
    }

    /** Parses the fault specs and builds the lab options; bad specs are one BadInputException. */
    static Lab.Options options(int hosts, int racks, long latency, List<String> faultSpecs, Path dir, boolean ipmi,
                               String bootServer, int bmcPort, int ipmiPort, Duration installTime) {
        List<String> problems = new ArrayList<>();
        List<Lab.Fault> faults = new ArrayList<>();
        for (String spec : faultSpecs) {
            try {
                faults.add(Lab.Fault.parse(spec));
            } catch (IllegalArgumentException e) {
                problems.add("--fault " + e.getMessage());
            }
        }
        URI boot;
        try {
            boot = URI.create(bootServer);
        } catch (IllegalArgumentException e) {
            boot = null;
        }
        Lab.Options options = new Lab.Options(hosts, racks, latency, faults, dir, ipmi, boot, bmcPort, ipmiPort,
                installTime);
        problems.addAll(options.problems());
        if (!problems.isEmpty()) throw new BadInputException(problems);
        return options;
    }

    @Command(name = "down", description = {"Stop the lab running in DIR: signal the process in DIR/lab.pid",
        "and wait until it is gone."})
    static final class Down extends BaseCommand {
        @Option(names = "--dir", paramLabel = "DIR", defaultValue = DEFAULT_DIR,
                description = "The lab's folder (default: ${DEFAULT-VALUE}).")
        Path dir;

        @Option(names = "--wait", paramLabel = "DUR", converter = DurationConverter.class, defaultValue = "30s",
                description = "How long to wait for it to stop (default: ${DEFAULT-VALUE}).")
        Duration wait;

        @Override
        protected Result execute() throws Exception {
            Path pidFile = dir.resolve("lab.pid");
            if (!Files.exists(pidFile)) throw new BadInputException("no lab is running in " + dir + " (no " + pidFile + ")");
            long pid;
            try {
                pid = Long.parseLong(Files.readString(pidFile).strip());
            } catch (NumberFormatException | IOException e) {
                throw new BadInputException(pidFile + ": not a process id");
            }
            Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
            if (process.isEmpty() || !looksLikeJava(process.get())) {
                Files.deleteIfExists(pidFile);
                return Results.message("the lab in " + dir + " was not running (removed a stale lab.pid)",
                        Map.of("dir", dir.toString(), "stopped", false));
            }
            if (pid == ProcessHandle.current().pid()) throw new BadInputException("the lab in " + dir + " runs in this process");
            process.get().destroy(); // SIGTERM: the lab's shutdown hook stops every BMC
            try {
                process.get().onExit().get(wait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new IllegalStateException("the lab in " + dir + " (pid " + pid + ") did not stop within "
                        + wait.toSeconds() + " s");
            }
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("dir", dir.toString());
            json.put("pid", pid);
            json.put("stopped", true);
            return Results.message("stopped the lab in " + dir + " (pid " + pid + ")", json);
        }

        /** Guards against a pid that was reused by another program since the lab wrote it. */
        private static boolean looksLikeJava(ProcessHandle p) {
            return p.info().command().map(c -> c.contains("java")).orElse(true);
        }
    }
}

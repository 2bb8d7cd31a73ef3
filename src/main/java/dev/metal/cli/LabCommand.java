package dev.metal.cli;

import dev.metal.boot.BootServer;
import dev.metal.lab.Lab;
import dev.metal.lab.LabProcess;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
        "DIR/bmc-password, DIR/lab.pid, the lab's own SSH key pair (DIR/ssh/id_ed25519, its",
        "public key in the site plan), and a site plan, profiles and boot images for the",
        "fleet (DIR/site.yaml, DIR/profiles, DIR/files), prints the commands to run against it,",
        "and a line 'ready' once every BMC answers.",
        "Faults (--fault N:KIND, N from 1): missing-dimm, nic-wrong-slot, dead-disk,",
        "bmc-timeout, no-phone-home, install-fails."})
    static final class Up extends BaseCommand {
        @Option(names = "--hosts", paramLabel = "N", defaultValue = "6", description = "Servers (default: ${DEFAULT-VALUE}).")
        int hosts;

        @Option(names = "--racks", paramLabel = "R",
                description = "Racks to spread them over, at most " + Lab.MAX_U + " servers each (default: one per "
                        + Lab.PER_RACK_DEFAULT + " servers).")
        Integer racks;

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

        @Option(names = "--vm", paramLabel = "N", defaultValue = "0",
                description = {"Make lab servers 1..N real qemu VMs (TCG) with iPXE firmware, booted through the",
                    "boot server into metal's agent (OS 'agent' of the site plan); each has DIR/vm-K/disk.img",
                    "and DIR/vm-K/console.log. Needs qemu-system-x86 and ipxe-qemu (default: ${DEFAULT-VALUE})."})
        int vms;

        @Option(names = "--uefi", description = "Boot the VMs with UEFI firmware (OVMF, Debian package ovmf) instead of BIOS.")
        boolean uefi;

        @Option(names = "--agent", paramLabel = "DIR",
                description = "The agent the VMs boot (vmlinuz, initrd from 'metal agent build'; default: built now).")
        Path agent;

        @Mixin
        ForOption running;

        @Override
        protected Result execute() throws Exception {
            Lab.Options options = Lab.Options.parse(hosts, racks, latency, faults, dir, ipmi, bootServer, bmcPort,
                    ipmiPort, installTime, vms, uefi, agent);
            // Scripts wait for the line 'ready' that ends this result, printed as soon as every BMC answers.
            LabProcess.runUntilStopped(options, running.duration, log(), (lab, took) -> emitReady(lab, took));
            return Results.message("lab stopped", Map.of("stopped", dir.toAbsolutePath().toString()));
        }

        private void emitReady(Lab lab, Duration took) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("ready", true);
            json.put("dir", lab.options().dir().toAbsolutePath().toString());
            json.put("servers", lab.servers().size());
            json.put("bmcPort", lab.bmcPort());
            json.put("millis", took.toMillis());
            json.put("sshKey", lab.sshKey().privateKey().toAbsolutePath().toString());
            json.put("vms", lab.servers().stream().filter(s -> s.vm != null).map(s -> s.hostname).toList());
            emit(Results.of(json, out -> describe(lab, out, took)));
        }

        private static void describe(Lab lab, PrintWriter out, Duration took) {
            Lab.Options o = lab.options();
            Path dir = o.dir().toAbsolutePath();
            List<Lab.Server> servers = lab.servers();
            Lab.Server first = servers.get(0);
            Lab.Server last = servers.get(servers.size() - 1);
            out.printf("lab: %d servers in %d racks, up in %.1f s%n", servers.size(), o.rackCount(), took.toNanos() / 1e9);
            out.printf("  Redfish BMCs: https://%s:%d .. https://%s:%d (user %s, password in %s)%n", first.ip,
                    lab.bmcPort(), last.ip, lab.bmcPort(), Lab.USER, dir.resolve("bmc-password"));
            if (o.ipmi()) out.printf("  IPMI BMCs:    %s .. %s, UDP port %d%n", first.ip, last.ip, o.ipmiPort());
            for (Lab.Server s : servers) {
                if (s.vm != null) {
                    out.printf("  VM:           %s is a qemu VM (%s), console %s%n", s.hostname, o.uefi() ? "UEFI" : "BIOS",
                            s.vm.console().toAbsolutePath());
                }
            }
            out.printf("  SSH key:      %s (in the site plan: the provisioned systems let it log in)%n",
                    lab.sshKey().privateKey().toAbsolutePath());
            out.printf("  boot server:  %s (start it with 'metal serve' or let 'metal provision' run it)%n", o.bootServer());
            for (Lab.Fault f : o.faults()) {
                out.printf("  fault:        %s on %s%n", f.kind().spec(), servers.get(f.server() - 1).hostname);
            }
            String state = "metal --state " + dir.resolve("state.json");
            out.println("Try:");
            out.println("  " + state + " import " + dir.resolve("rack.csv"));
            out.println("  " + state + " discover --leases " + dir.resolve("dnsmasq.leases") + " --port " + lab.bmcPort());
            out.println("  " + state + " scrape --all");
            out.println("  " + state + " match --all --profiles " + dir.resolve("profiles"));
            out.println("  " + state + " site set " + dir.resolve("site.yaml"));
            out.println("  " + state + " provision --profile lab-1u-compute --count 2 --os debian-12 --files "
                    + dir.resolve("files") + (o.bootServer().getPort() == BootServer.DEFAULT_PORT ? "" : " --listen "
                    + o.bootServer().getHost() + ":" + o.bootServer().getPort()));
            out.println("Stop it with Ctrl-C or 'metal lab down --dir " + o.dir() + "'.");
            out.println("ready");
        }
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
            LabProcess.Stopped s = LabProcess.stop(dir, wait);
            if (!s.stopped()) {
                return Results.message("the lab in " + dir + " was not running (removed a stale lab.pid)",
                        Map.of("dir", dir.toString(), "stopped", false));
            }
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("dir", dir.toString());
            json.put("pid", s.pid());
            json.put("stopped", true);
            return Results.message("stopped the lab in " + dir + " (pid " + s.pid() + ")", json);
        }
    }
}

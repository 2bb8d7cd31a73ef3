package dev.metal.cli;

import dev.metal.lab.Demo;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", description = {"Try metal end to end on this machine, with nothing but a JDK.",
    "It brings up a small lab (emulated servers with Redfish BMCs on 127.77.R.N,",
    "one with a missing DIMM, one whose install fails), then runs the real",
    "commands against it: import, discover, scrape, match, site set, render and",
    "provision, showing each command line, its output and its time. It leaves",
    "DIR/state.json and DIR/rendered to explore with the other commands.",
    "With --vm, lab server 1 is a real qemu VM that boots through iPXE into",
    "metal's agent beside the simulated fleet."})
public final class DemoCommand extends BaseCommand {
    @Option(names = "--dir", paramLabel = "DIR", defaultValue = "metal-demo",
            description = "Where the demo keeps its state and files (default: ${DEFAULT-VALUE}); an earlier "
                    + "demo's folder is started over.")
    Path dir;

    @Option(names = "--hosts", paramLabel = "N", defaultValue = "6",
            description = "Lab servers, over 2 racks (default: ${DEFAULT-VALUE}; 4 to 500).")
    int hosts;

    @Option(names = "--vm", description = "Make lab server 1 a real qemu VM (TCG, BIOS, Debian's iPXE ROM) that boots "
            + "metal's agent, built from the kernel and busybox-static .deb files in ~/.cache/metal/debs (or "
            + "$METAL_DEBS), and show its boot. Needs qemu-system-x86, ipxe-qemu and kexec-tools.")
    boolean vm;

    @Override
    protected Result execute() throws IOException {
        // --json keeps stdout for the result; the walk-through goes to stderr then.
        PrintWriter walkThrough = root().json() ? context().err() : context().out();
        Demo.Report report = new Demo(dir, hosts, vm, root().verbose(), log()).run(root().runner(), walkThrough);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("dir", report.home().toString());
        json.put("state", report.state().toString());
        json.put("steps", report.steps());
        json.put("millis", report.totalMs());
        if (report.vm() != null) {
            Map<String, Object> vm = new LinkedHashMap<>();
            vm.put("hostname", report.vm().hostname());
            vm.put("firmware", report.vm().firmware());
            vm.put("console", report.vm().console().toString());
            vm.put("stagesMs", report.vm().stagesMs());
            json.put("vm", vm);
        }
        return Results.of(json, out -> print(out, report));
    }

    private static void print(PrintWriter out, Demo.Report report) {
        Path home = report.home();
        String metal = "metal --state " + report.state();
        out.println();
        if (report.vm() != null) {
            Long phoned = report.vm().stagesMs().get("phonedHome");
            out.printf("The VM %s phoned home %s; its console is in %s.%n", report.vm().hostname(),
                    phoned == null ? "(not reached)" : String.format("%.1f s after the provision claimed it", phoned / 1000.0),
                    report.vm().console());
        }
        out.printf("Demo done in %.1f s. The lab is stopped; the state and the rendered files stay in %s.%n",
                report.totalMs() / 1000.0, home);
        out.println("Explore:");
        out.println("  " + metal + " host list");
        out.println("  " + metal + " host show lab-r1-n02");
        out.println("  " + metal + " host history lab-r1-n02");
        out.println("  " + metal + " inventory show " + report.dimmHost());
        out.println("  " + metal + " match " + report.dimmHost() + " --profiles " + home.resolve("lab").resolve("profiles"));
        if (report.vm() != null) {
            out.println("  " + metal + " host show " + report.vm().hostname());
            out.println("  less " + report.vm().console());
        }
        out.println("  ls " + home.resolve("rendered"));
        out.println("Run a lab of your own: metal lab up --dir ./metal-lab (then follow what it prints).");
    }
}

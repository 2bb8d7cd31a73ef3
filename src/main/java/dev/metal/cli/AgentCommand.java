package dev.metal.cli;

import dev.metal.agent.AgentBuilder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "agent", description = {"metal's provisioning agent: a kernel and initramfs that report to the boot",
    "server, fetch the host's config with its token, run their steps and phone home."},
        subcommands = {AgentCommand.Build.class})
public final class AgentCommand {

    @Command(name = "build", description = {"Build the agent from Debian packages: OUT/vmlinuz (the cloud kernel) and",
        "OUT/initrd (busybox, the NIC, disk and filesystem modules, the agent's scripts).",
        "It reads linux-image-*-cloud-amd64 and busybox-static .deb files from --debs",
        "('apt-get download' fetches them); the running kernel is never used.",
        "Boot it with the kernel command line metal.url=URL metal.host=HOST metal.token=TOKEN",
        "(and metal.ip=ADDRESS/PREFIX,GATEWAY for a static address; otherwise DHCP);",
        "an OS in the site plan with kernel /files/agent/vmlinuz does that."})
    static final class Build extends BaseCommand {
        @Option(names = "--out", paramLabel = "DIR", defaultValue = "agent",
                description = "Where to write vmlinuz and initrd (default: ${DEFAULT-VALUE}).")
        Path out;

        @Option(names = "--debs", paramLabel = "DIR",
                description = "The folder of .deb files (default: $METAL_DEBS, else ~/.cache/metal/debs).")
        Path debs;

        @Override
        protected Result execute() {
            AgentBuilder.Built b = AgentBuilder.build(debs != null ? debs : AgentBuilder.defaultDebs(), out);
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("kernel", b.kernel().toAbsolutePath().toString());
            json.put("initrd", b.initrd().toAbsolutePath().toString());
            json.put("kernelVersion", b.kernelVersion());
            json.put("modules", b.modules());
            json.put("initrdBytes", b.initrdBytes());
            return Results.of(json, o -> {
                o.printf("agent built in %s: kernel %s, initrd %.1f MiB with %d modules (%s)%n", out,
                        b.kernelVersion(), b.initrdBytes() / 1048576.0, b.modules().size(), String.join(" ", b.modules()));
            });
        }
    }
}

package dev.metal.cli;

import dev.metal.provision.Placement;
import dev.metal.provision.ProvisionReport;
import dev.metal.provision.ProvisionService;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "provision", description = {
    "Install an OS on ready hosts, from PXE boot to active.",
    "Provisions the hosts named, or --count hosts of --profile spread across racks.",
    "Per host: provisioning, boot PXE once, power cycle (on if off), serve",
    "iPXE and configs, wait for the phone-home, boot from disk, active.",
    "A host that fails (BMC error, timeout, failed install) is quarantined",
    "and its slot retries on another ready host of the same profile.",
    "Serves in-process on --listen unless --server names a 'metal serve'.",
    "Two runs on one state file never take the same host; --resume",
    "continues what an interrupted run left."})
public final class ProvisionCommand extends BaseCommand {
    @Parameters(paramLabel = "HOST", arity = "0..*", description = "Hosts to provision (ready ones).")
    List<String> hosts = new ArrayList<>();

    @Option(names = "--profile", paramLabel = "P", description = "Choose hosts of this hardware profile.")
    String profile;

    @Option(names = "--count", paramLabel = "N", defaultValue = "1",
            description = "How many hosts of --profile (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--os", paramLabel = "NAME", description = "The OS to install (e.g. debian-12).")
    String os;

    @Option(names = "--ssh-key", paramLabel = "FILE", description = "Authorized keys for the installed system.")
    Path sshKey;

    @Option(names = "--no-ssh-keys",
            description = "Install without SSH keys when neither the site plan nor --ssh-key has any.")
    boolean noSshKeys;

    @Option(names = "--max-quarantine", paramLabel = "N",
            description = "Quarantine at most N hosts in this run (default: 2, or a tenth of the profile's hosts).")
    Integer maxQuarantine;

    @Option(names = "--keep-power", description = "Leave quarantined hosts powered on (default: power them off).")
    boolean keepPower;

    @Option(names = "--dry-run", description = "Print the hosts that would be chosen and why; change nothing.")
    boolean dryRun;

    @Mixin
    TimeoutOption timeout;

    @Option(names = "--server", paramLabel = "URL",
            description = "A running 'metal serve' to rely on instead of serving in-process.")
    String server;

    @Mixin
    ServeOptions serving;

    @Option(names = "--retries", paramLabel = "N", defaultValue = "2",
            description = "Other hosts a failed slot may try (default: ${DEFAULT-VALUE}).")
    int retries;

    @Option(names = "--max-per-rack", paramLabel = "N", defaultValue = "0",
            description = "At most N hosts of this run in one rack; 0 for no limit (default: ${DEFAULT-VALUE}).")
    int maxPerRack;

    @Mixin
    ParallelOption parallel;

    @Mixin
    ViaOption via;

    @Mixin
    QuietOption quiet;

    @Option(names = "--resume", description = "Continue the provisioning that an interrupted run left.")
    boolean resume;

    @Override
    public Map<String, String> defaults() {
        return Map.of("--parallel", "64", "--timeout", "20m");
    }

    @Override
    protected Result execute() {
        long start = System.nanoTime();
        ProvisionService.Options options = new ProvisionService.Options(os, sshKey, timeout.timeout, retries, maxPerRack,
                parallel.parallel, via.via, noSshKeys, maxQuarantine, keepPower);
        ProvisionService.Serving inProcess = server != null ? null
                : new ProvisionService.Serving(serving.listen, serving.files(root()));
        ProvisionReport report;
        try (LiveProgress progress = LiveProgress.open(context(), "provision", quiet.quiet || dryRun)) {
            report = new ProvisionService(services(), store(), options, log(), start).progress(progress)
                    .run(new ProvisionService.Request(hosts, profile, count, dryRun, resume), inProcess);
        }
        return Results.of(report, out -> print(out, report),
                report.dryRun() ? ExitCodes.OK : ExitCodes.forHosts(report.failed(), report.active()));
    }

    private static void print(PrintWriter out, ProvisionReport report) {
        if (report.dryRun()) {
            Table t = new Table("HOST", "RACK", "WHY");
            for (Placement.Choice c : report.plan()) t.row(c.hostname(), c.rack(), c.reason());
            t.print(out);
            out.printf("would provision %d host(s)%n", report.plan().size());
            return;
        }
        if (report.slots().isEmpty()) {
            out.println("nothing to provision" + (report.requests().isEmpty() ? " (nothing to resume)" : ""));
            return;
        }
        Table t = new Table("SLOT", "HOST", "STATUS", "ACTIVE AFTER", "WHAT HAPPENED")
                .fit(Table.WIDTH, "'metal host history HOST' has them whole");
        for (ProvisionReport.Slot s : report.slots()) {
            List<String> notes = new ArrayList<>();
            for (ProvisionReport.Attempt a : s.attempts()) {
                if (a.reason() == null) continue;
                // The host is named once: reasons that start with it ("HOST: BMC certificate changed") lose it.
                notes.add(a.host() == null ? a.reason()
                        : a.host() + " " + a.result() + ": " + dev.metal.util.Messages.forHost(a.host(), a.reason()));
            }
            t.row(s.slot(), s.host(), s.status(), s.activeMs() == null ? null : s.activeMs() / 1000.0 + " s",
                    notes.isEmpty() ? null : notes.get(0));
            // One attempt a line, so that a retried slot does not make one long line.
            for (String note : notes.subList(Math.min(1, notes.size()), notes.size())) t.row("", "", "", "", note);
        }
        t.print(out);
        out.printf("%d active, %d failed%n", report.active(), report.failed());
    }
}

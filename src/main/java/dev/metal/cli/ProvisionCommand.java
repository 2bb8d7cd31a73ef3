package dev.metal.cli;

import dev.metal.bmc.Protocol;
import dev.metal.boot.BootServer;
import dev.metal.model.BadInputException;
import dev.metal.provision.Placement;
import dev.metal.provision.ProvisionReport;
import dev.metal.provision.ProvisionService;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
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

    @Option(names = "--dry-run", description = "Print the hosts that would be chosen and why; change nothing.")
    boolean dryRun;

    @Option(names = "--timeout", paramLabel = "DUR", converter = DurationConverter.class, defaultValue = "20m",
            description = "How long to wait for a host's phone-home after power on (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--server", paramLabel = "URL",
            description = "A running 'metal serve' to rely on instead of serving in-process.")
    String server;

    @Option(names = "--listen", paramLabel = "ADDR:PORT", converter = ListenConverter.class,
            defaultValue = BootServer.DEFAULT_LISTEN,
            description = "Where the in-process boot server listens (default: ${DEFAULT-VALUE}).")
    InetSocketAddress listen;

    @Option(names = "--files", paramLabel = "DIR",
            description = "Folder the in-process server serves under /files/ (default: 'files' beside the state file).")
    Path files;

    @Option(names = "--retries", paramLabel = "N", defaultValue = "2",
            description = "Other hosts a failed slot may try (default: ${DEFAULT-VALUE}).")
    int retries;

    @Option(names = "--max-per-rack", paramLabel = "N", defaultValue = "0",
            description = "At most N hosts of this run in one rack; 0 for no limit (default: ${DEFAULT-VALUE}).")
    int maxPerRack;

    @Option(names = "--parallel", paramLabel = "N", defaultValue = "64",
            description = "Hosts provisioned at once (default: ${DEFAULT-VALUE}).")
    int parallel;

    @Option(names = "--via", paramLabel = "P", defaultValue = "auto",
            description = "BMC protocol: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Protocol protocol;

    @Option(names = "--resume", description = "Continue the provisioning that an interrupted run left.")
    boolean resume;

    @Override
    protected Result execute() {
        long start = System.nanoTime();
        validate();
        String keys = readKeys();
        ProvisionService service = new ProvisionService(store(), Wiring.connector.apply(store()),
                new ProvisionService.Options(os, keys, timeout, retries, maxPerRack, parallel, protocol), start);
        if (dryRun) {
            List<Placement.Choice> plan = service.plan(hosts, profile, count);
            return new ProvisionResult(new ProvisionReport(List.of(), List.of(), true, plan));
        }
        BootServer boot = null;
        try {
            if (server == null) {
                Path folder = files != null ? files : ServeCommand.defaultFiles(root().statePath());
                boot = new BootServer(store(), Wiring.bootContent.get(), folder, null, 16).start(listen);
            }
            BootServer inProcess = boot;
            ProvisionService.PhoneHomeHook hook = inProcess == null ? null
                    : wake -> inProcess.onPhoneHome(h -> wake.run());
            ProvisionReport report = resume ? service.resume(hook) : service.provision(hosts, profile, count, hook);
            return new ProvisionResult(report);
        } finally {
            if (boot != null) boot.close();
        }
    }

    private void validate() {
        List<String> problems = new ArrayList<>();
        if (resume) {
            if (!hosts.isEmpty() || profile != null || dryRun) problems.add("--resume takes no hosts, --profile or --dry-run");
        } else {
            if (hosts.isEmpty() == (profile == null)) problems.add("name hosts or give --profile P --count N (one of them)");
            if (os == null) problems.add("--os NAME is required");
            if (count < 1) problems.add("--count must be at least 1");
        }
        if (retries < 0) problems.add("--retries must not be negative");
        if (maxPerRack < 0) problems.add("--max-per-rack must not be negative");
        if (parallel < 1) problems.add("--parallel must be at least 1");
        if (!problems.isEmpty()) throw new BadInputException(problems);
    }

    private String readKeys() {
        if (sshKey == null) return null;
        try {
            return Files.readString(sshKey, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new BadInputException("cannot read --ssh-key " + sshKey + ": " + e.getMessage());
        }
    }

    static final class ProvisionResult implements Result {
        private final ProvisionReport report;

        ProvisionResult(ProvisionReport report) {
            this.report = report;
        }

        @Override
        public Object json() {
            return report;
        }

        @Override
        public void print(PrintWriter out) {
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
            Table t = new Table("SLOT", "HOST", "STATUS", "ACTIVE AFTER", "WHAT HAPPENED");
            for (ProvisionReport.Slot s : report.slots()) {
                List<String> notes = new ArrayList<>();
                for (ProvisionReport.Attempt a : s.attempts()) {
                    if (a.reason() != null) notes.add((a.host() == null ? "" : a.host() + " " + a.result() + ": ") + a.reason());
                }
                t.row(s.slot(), s.host(), s.status(), s.activeMs() == null ? null : s.activeMs() / 1000.0 + " s",
                        notes.isEmpty() ? null : String.join("; ", notes));
            }
            t.print(out);
            out.printf("%d active, %d failed%n", report.active(), report.failed());
        }

        @Override
        public int exitCode() {
            return report.dryRun() ? ExitCodes.OK : ExitCodes.forHosts(report.failed(), report.active());
        }
    }
}

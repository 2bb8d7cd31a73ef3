package dev.metal.cli;

import dev.metal.profile.ProfileFiles;
import dev.metal.workflow.MatchService;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "match",
        description = {"Match hosts against the hardware profiles.",
            "A host matches a profile when every condition of it holds; exactly one",
            "must match. On a match the host gets the profile's names (NIC ports ->",
            "MACs, drive bays -> /dev/disk/by-id paths, the boot disk) and becomes",
            "ready. Otherwise it becomes failed, with the nearest profile and every",
            "difference (see 'metal host show HOST'). Hosts that are provisioning,",
            "active or quarantined are not touched."},
        footerHeading = "%nFiles:%n",
        footer = ProfilesOption.FOOTER)
public final class MatchCommand extends BaseCommand {
    @Mixin
    HostOptions hosts;

    @Mixin
    ProfilesOption profiles;

    @Override
    protected Result execute() {
        var selection = hosts.selection();
        var loaded = ProfileFiles.loadFolder(profiles.resolve(root()));
        MatchService.Outcome outcome = new MatchService(store(), loaded.stream().map(ProfileFiles.Loaded::profile).toList())
                .match(selection);
        return Results.of(outcome, out -> print(out, outcome), ExitCodes.forHosts(outcome.failed(), outcome.succeeded()));
    }

    private static void print(PrintWriter out, MatchService.Outcome outcome) {
        if (outcome.hosts().isEmpty()) {
            out.println("no hosts to match");
            return;
        }
        Table t = new Table("HOST", "RESULT", "PROFILE", "DETAIL").fit(Table.WIDTH, "'metal host show HOST' has them whole");
        for (MatchService.HostOutcome h : outcome.hosts()) {
            String detail = h.nearest() == null ? h.detail() : h.detail() + "; nearest " + h.nearest();
            t.row(h.host(), h.result(), h.profile(), detail);
        }
        t.print(out);
        for (MatchService.HostOutcome h : outcome.hosts()) {
            if (h.differences().isEmpty()) continue;
            out.println();
            out.println(h.host() + (h.nearest() == null ? ":" : ": differences to profile " + h.nearest() + ":"));
            for (String d : h.differences()) out.println("  - " + d);
        }
    }
}

package dev.metal.cli;

import dev.metal.model.BadInputException;
import dev.metal.profile.MatchService;
import dev.metal.profile.ProfileFiles;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

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
    @Parameters(paramLabel = "HOST", arity = "0..*", description = "Hosts to match.")
    List<String> hosts;

    @Option(names = "--all", description = "Match every inventoried, ready or failed host.")
    boolean all;

    @Mixin
    ProfilesOption profiles;

    @Override
    protected Result execute() {
        boolean named = hosts != null && !hosts.isEmpty();
        if (named == all) throw new BadInputException("name the hosts to match, or give --all (not both)");
        var loaded = ProfileFiles.loadFolder(profiles.resolve(root()));
        MatchService.Outcome outcome = new MatchService(store(), loaded.stream().map(ProfileFiles.Loaded::profile).toList())
                .match(named ? hosts : List.of(), all);
        return new Result() {
            @Override
            public Object json() {
                return outcome;
            }

            @Override
            public void print(PrintWriter out) {
                if (outcome.hosts().isEmpty()) {
                    out.println("no hosts to match");
                    return;
                }
                Table t = new Table("HOST", "RESULT", "PROFILE", "DETAIL");
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

            @Override
            public int exitCode() {
                return ExitCodes.forHosts(outcome.failed(), outcome.succeeded());
            }
        };
    }
}

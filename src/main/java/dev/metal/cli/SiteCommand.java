package dev.metal.cli;

import dev.metal.model.Site;
import dev.metal.workflow.SiteService;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "site", description = "Load and show the site plan: networks per rack, BGP numbers, boot server, OS catalog.",
        subcommands = {SiteCommand.Set.class, SiteCommand.Show.class})
public final class SiteCommand {

    @Command(name = "set", description = {"Check a site plan file and store it in the state.",
        "Every problem is listed with its line and nothing is stored. Hosts in the plan's racks",
        "get their addresses now (deterministic; a host keeps its addresses while it stays in its rack)."})
    static final class Set extends BaseCommand {
        @Parameters(paramLabel = "FILE.yaml", description = "The site plan (see samples/site.yaml).")
        Path file;

        @Option(names = "--files", paramLabel = "DIR",
                description = "The boot server's files folder, where an image OS given as a file must be "
                        + "(default: 'files' beside the site plan when there is one, else beside the state file).")
        Path files;

        @Override
        protected Result execute() {
            Path besidePlan = file.toAbsolutePath().resolveSibling("files");
            Path folder = files != null ? files : java.nio.file.Files.isDirectory(besidePlan) ? besidePlan : root().besideState("files");
            SiteService.Loaded loaded = new SiteService(store()).set(file, folder);
            return Results.of(loaded, out -> {
                out.printf("site %s stored: %d racks, %d OS; %d hosts got new addresses%n", loaded.site().name(),
                        loaded.site().racks().size(), loaded.site().os().size(), loaded.allocated().size());
                for (String p : loaded.unplaced()) out.println("  not placed: " + p);
            });
        }
    }

    @Command(name = "show", description = "Print the stored site plan.")
    static final class Show extends BaseCommand {
        @Override
        protected Result execute() {
            Site site = new SiteService(store()).show();
            return Results.of(site, out -> print(out, site));
        }

        private static void print(PrintWriter out, Site site) {
            out.printf("site:       %s (%s)%n", site.name(), site.domain());
            out.printf("boot url:   %s%n", site.bootUrl());
            out.printf("dns:        %s%n", site.dns().isEmpty() ? "-" : String.join(" ", site.dns()));
            out.printf("nics:       public %s, mgmt %s%n", site.nics().get("public"), site.nics().get("mgmt"));
            out.printf("first host: %d%n", site.firstHost());
            out.printf("asn:        spine %d, tor %d + rack position, server from %d%n",
                    site.asn().spine(), site.asn().tor(), site.asn().server());
            out.printf("fabric:     loopbacks %s, spines %s%n", site.fabric().loopbacks(),
                    site.fabric().spines().isEmpty() ? "-" : String.join(" ", site.fabric().spines()));
            out.printf("ssh keys:   %d%n", site.sshKeys().size());
            out.println();
            Table racks = new Table("RACK", "TOR", "PUBLIC IPV4", "PUBLIC IPV6", "MGMT", "BMC");
            for (Site.Rack r : site.racks()) {
                racks.row(r.name(), r.tor(), r.publicNet().ipv4() + " gw " + r.publicNet().gateway4(),
                        r.publicNet().ipv6() == null ? null : r.publicNet().ipv6() + " gw " + r.publicNet().gateway6(),
                        r.mgmt().ipv4() + " gw " + r.mgmt().gateway4(), r.bmc().ipv4() + " gw " + r.bmc().gateway4());
            }
            racks.print(out);
            out.println();
            Table os = new Table("OS", "KERNEL", "INITRD", "INSTALLER OR IMAGE");
            site.os().forEach((name, o) -> os.row(name, o.kernel(), o.initrd(),
                    o.hasImage() ? "image " + o.image() + " sha256 " + o.sha256().substring(0, Math.min(12, o.sha256().length())) + "..."
                            : o.installer()));
            os.print(out);
        }
    }
}

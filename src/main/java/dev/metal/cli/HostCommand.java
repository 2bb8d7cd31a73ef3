package dev.metal.cli;

import dev.metal.model.Host;
import dev.metal.model.HostState;
import dev.metal.model.ProfileMatch;
import dev.metal.provision.PoolService;
import dev.metal.state.JournalEntry;
import dev.metal.workflow.HostService;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "host", description = "List, show, remove hosts and read their history.",
        subcommands = {HostCommand.List.class, HostCommand.Show.class, HostCommand.Remove.class,
            HostCommand.History.class, HostCommand.Quarantine.class, HostCommand.Release.class})
public final class HostCommand {

    /** The JSON form of a host in listings: what scripts select on, never a secret. */
    static Map<String, Object> summary(Host h) {
        return JsonContract.hostSummary(h);
    }

    @Command(name = "list", description = "List hosts, optionally filtered by rack, state or tag.")
    static final class List extends BaseCommand {
        @Option(names = "--rack", paramLabel = "R", description = "Only hosts in this rack.")
        String rack;

        @Option(names = "--in", paramLabel = "STATE", description = "Only hosts in this state (${COMPLETION-CANDIDATES}).",
                converter = StateConverter.class, completionCandidates = StateCandidates.class)
        HostState hostState;

        @Option(names = "--tag", paramLabel = "T", description = "Only hosts with this tag.")
        String tag;

        @Override
        protected Result execute() {
            java.util.List<Host> hosts = new HostService(store()).list(rack, hostState, tag);
            return Results.of(JsonContract.list("hosts", hosts.stream().map(HostCommand::summary).toList()), out -> {
                Table t = new Table("HOSTNAME", "RACK", "U", "STATE", "BMC MAC", "BMC ADDRESS", "PROFILE");
                for (Host h : hosts) {
                    t.row(h.hostname(), h.rack(), h.u(), h.state(), h.bmc().mac(), h.bmc().address(), h.profile());
                }
                t.print(out);
            });
        }
    }

    @Command(name = "show", description = "Show everything known about one host (secrets masked).")
    static final class Show extends BaseCommand {
        @Parameters(paramLabel = "HOST")
        String hostname;

        @Override
        protected Result execute() {
            Host h = new HostService(store()).show(hostname);
            return Results.of(JsonContract.host(h), out -> print(out, h));
        }

        private static void print(PrintWriter out, Host h) {
            out.printf("hostname:     %s%n", h.hostname());
            out.printf("rack / u:     %s / %d%n", h.rack(), h.u());
            out.printf("state:        %s%s%n", h.state(), h.stateReason() == null ? "" : " (" + h.stateReason() + ")");
            out.printf("since:        %s%n", h.stateSince());
            out.printf("bmc:          mac %s, address %s, user %s, password %s, ipmi port %d%n",
                    h.bmc().mac(), h.bmc().address(), h.bmc().user(), h.bmc().password(), h.bmc().ipmiPort());
            if (h.bmc().tlsFingerprint() != null) out.printf("bmc tls:      %s%n", h.bmc().tlsFingerprint());
            out.printf("mgmt mac:     %s%n", h.mgmtMac());
            out.printf("serial:       %s%n", h.serial() == null ? "-" : h.serial());
            out.printf("tags:         %s%n", h.tags().isEmpty() ? "-" : String.join(" ", h.tags()));
            out.printf("inventory:    %s%n", h.inventory() == null ? "-" : "scraped " + h.inventory().scrapedAt());
            out.printf("profile:      %s%n", h.profile() == null ? "-" : h.profile());
            printMatch(out, h.match());
            printAddresses(out, JsonContract.addresses(h.addresses()));
            if (h.provisioning() != null) {
                var p = h.provisioning();
                out.printf("provisioning: %s with %s, attempt %d, started %s%n", p.requestId() == null ? "-" : p.requestId(),
                        p.os(), p.attempt(), p.startedAt() == null ? "-" : p.startedAt());
                out.printf("boot stage:   %s%s%n", p.stage() == null ? "-" : p.stage(),
                        p.stageAt() == null ? "" : " (at " + p.stageAt() + ")");
                if (p.phonedHomeAt() != null) out.printf("phoned home:  %s%n", p.phonedHomeAt());
            }
        }
    }

    /** The site plan's addresses, one network a line: {@code public  ipv4 10.0.0.5/24  ipv6 ...}. */
    static void printAddresses(PrintWriter out, Map<String, Object> addresses) {
        if (addresses.isEmpty()) return;
        out.printf("addresses:    rack %s, index %s%n", addresses.getOrDefault("rack", "-"),
                addresses.getOrDefault("index", "-"));
        for (Map.Entry<String, Object> e : addresses.entrySet()) {
            if (!(e.getValue() instanceof Map<?, ?> network)) continue;
            StringBuilder line = new StringBuilder();
            network.forEach((k, v) -> line.append("  ").append(k).append(' ').append(v));
            out.printf("  %-8s%s%n", e.getKey(), line);
        }
    }

    /** The names a match resolved, or the differences when it failed. */
    static void printMatch(PrintWriter out, ProfileMatch m) {
        if (m == null) return;
        if (m.miss() != null) {
            out.printf("match failed: nearest profile %s%n", m.miss().nearestProfile() == null ? "-" : m.miss().nearestProfile());
            for (String d : m.miss().differences()) out.printf("  - %s%n", d);
            return;
        }
        m.nics().values().forEach(n -> out.printf("  nic %-8s %s (slot %s, port %s)%n", n.name(), n.mac(),
                n.slot() == null ? "-" : n.slot(), n.port() == null ? "-" : n.port()));
        m.disks().values().forEach(d -> out.printf("  disk %-8s %s (bay %s)%s%n", d.name(), d.byIdPath(),
                d.bay() == null ? "-" : d.bay(),
                d.byIdPath() != null && d.byIdPath().equals(m.bootDisk()) ? " boot" : ""));
        if (m.evidence() != null) out.printf("  evidence: %s%n", m.evidence());
    }

    @Command(name = "remove", description = "Remove a host from the state (refused while it is provisioning or active, "
            + "unless --force).")
    static final class Remove extends BaseCommand {
        @Parameters(paramLabel = "HOST")
        String hostname;

        @Option(names = "--force", description = "Remove even a provisioning or active host.")
        boolean force;

        @Override
        protected Result execute() {
            new HostService(store()).remove(hostname, force);
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("hostname", hostname);
            json.put("removed", true);
            return Results.message("removed " + hostname, json);
        }
    }

    @Command(name = "history", description = "What happened to a host, from the journal, oldest first.")
    static final class History extends BaseCommand {
        @Parameters(paramLabel = "HOST")
        String hostname;

        @Override
        protected Result execute() {
            java.util.List<JournalEntry> entries = new HostService(store()).history(hostname);
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("hostname", hostname);
            json.put("events", entries.stream().map(JsonContract::journalEntry).toList());
            return Results.of(json, out -> {
                Table t = new Table("TIME", "COMMAND", "EVENT", "DETAIL");
                for (JournalEntry e : entries) {
                    t.row(e.time(), e.command(), e.event(), e.detail().isEmpty() ? null : e.detail());
                }
                t.print(out);
            });
        }
    }

    @Command(name = "quarantine", description = {"Take a host out of use with a reason: nothing provisions it",
        "until 'host release'. A provisioning in progress on it fails and its boot token stops working."})
    static final class Quarantine extends BaseCommand {
        @Parameters(paramLabel = "HOST")
        String hostname;

        @Option(names = "--reason", paramLabel = "TEXT", required = true, description = "Why (kept in the state and journal).")
        String reason;

        @Override
        protected Result execute() {
            Host h = new PoolService(store()).quarantine(hostname, reason);
            return Results.message("quarantined " + hostname + ": " + reason, summary(h));
        }
    }

    @Command(name = "release", description = {"Put a quarantined (or active) host back in use, in the state",
        "its data supports: ready when it matched a profile, else inventoried, discovered or imported."})
    static final class Release extends BaseCommand {
        @Parameters(paramLabel = "HOST")
        String hostname;

        @Option(names = "--reason", paramLabel = "TEXT", required = true, description = "Why (kept in the state and journal).")
        String reason;

        @Override
        protected Result execute() {
            Host h = new PoolService(store()).release(hostname, reason);
            return Results.message("released " + hostname + " (now " + h.state() + "): " + reason, summary(h));
        }
    }
}

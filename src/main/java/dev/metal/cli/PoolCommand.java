package dev.metal.cli;

import dev.metal.bmc.ProviderOptions;
import dev.metal.provision.PoolService;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "pool", description = "Ready hosts per profile: targets, status, demand forecast, warm-up.",
        subcommands = {PoolCommand.Status.class, PoolCommand.Target.class, PoolCommand.Forecast.class,
            PoolCommand.Warm.class})
public final class PoolCommand {

    @Command(name = "status", description = "Ready hosts against the target, per profile.")
    static final class Status extends BaseCommand {
        @Override
        protected Result execute() {
            List<PoolService.Status> pools = new PoolService(store()).status();
            return Results.of(JsonContract.list("pools", pools), out -> {
                Table t = new Table("PROFILE", "READY", "TARGET", "MISSING", "PROVISIONING", "ACTIVE", "QUARANTINED");
                for (PoolService.Status p : pools) {
                    t.row(p.profile(), p.ready(), p.target(), p.missing(), p.provisioning(), p.active(), p.quarantined());
                }
                t.print(out);
            });
        }
    }

    @Command(name = "target", description = "Set how many ready hosts to keep for a profile (0 removes the target).")
    static final class Target extends BaseCommand {
        @Parameters(index = "0", paramLabel = "PROFILE")
        String profile;

        @Parameters(index = "1", paramLabel = "N")
        int target;

        @Override
        protected Result execute() {
            new PoolService(store()).target(profile, target);
            Map<String, Object> json = new java.util.LinkedHashMap<>();
            json.put("profile", profile);
            json.put("target", target);
            return Results.message("pool " + profile + ": target " + target, json);
        }
    }

    @Command(name = "forecast", description = {
        "Hosts each profile will need next period.",
        "Exponential smoothing, s = a*x + (1-a)*s, over the hosts provisioned per period",
        "in the journal: only provisions that completed count, in the period they were",
        "asked for; failed, refused and interrupted runs are not demand."})
    static final class Forecast extends BaseCommand {
        @Option(names = "--alpha", paramLabel = "A", defaultValue = "0.5",
                description = "Smoothing factor in (0, 1]: higher follows recent demand faster (default: ${DEFAULT-VALUE}).")
        double alpha;

        @Option(names = "--period", paramLabel = "DUR", converter = DurationConverter.class, defaultValue = "1d",
                description = "Length of one period (default: ${DEFAULT-VALUE}).")
        Duration period;

        @Override
        protected Result execute() {
            List<PoolService.Forecast> f = new PoolService(store()).forecast(alpha, period, services().clock().instant());
            return Results.of(JsonContract.list("pools", f), out -> print(out, f));
        }

        private static void print(PrintWriter out, List<PoolService.Forecast> f) {
            Table t = new Table("PROFILE", "FORECAST", "NEEDED", "READY", "TARGET", "HISTORY (oldest first)");
            for (PoolService.Forecast p : f) {
                List<Integer> h = p.history();
                String hist = h.size() > 12 ? "... " + h.subList(h.size() - 12, h.size()) : h.toString();
                t.row(p.profile(), p.forecast(), p.needed(), p.ready(), p.target(), hist);
            }
            t.print(out);
        }
    }

    @Command(name = "warm", description = {
        "Power on and health-check ready hosts of each profile, up to its target.",
        "A host whose BMC fails or whose power does not read back on is quarantined."})
    static final class Warm extends BaseCommand {
        @Mixin
        ViaOption via;

        @Override
        protected Result execute() {
            var bmcs = services().bmcs(store(), ProviderOptions.defaults(log(), services().clock()), false, Duration.ZERO);
            List<PoolService.Warmed> warmed = new PoolService(store()).warm(bmcs, via.via);
            long bad = warmed.stream().filter(w -> w.reason() != null).count();
            return Results.of(JsonContract.list("hosts", warmed), out -> {
                Table t = new Table("HOST", "PROFILE", "RESULT", "WHY").fit(Table.WIDTH, "'metal host show HOST' has them whole");
                for (PoolService.Warmed w : warmed) t.row(w.host(), w.profile(), w.result(), w.reason());
                t.print(out);
            }, ExitCodes.forHosts(bad, warmed.size() - bad));
        }
    }
}

package dev.metal.cli;

import dev.metal.bmc.PowerAction;
import dev.metal.workflow.PowerService;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "power", description = {"Read or change hosts' power through their BMCs.",
    "Each change is read back until two reads agree. cycle and reset power on a host that is off.",
    "off, soft, cycle and reset refuse hosts in state active unless --force."},
        subcommands = {PowerCommand.Status.class, PowerCommand.On.class, PowerCommand.Off.class,
            PowerCommand.Soft.class, PowerCommand.Cycle.class, PowerCommand.Reset.class})
public final class PowerCommand {

    abstract static class Action extends BaseCommand {
        @Mixin
        HostOptions hosts;

        @Mixin
        PowerOptions options;

        abstract PowerAction action();

        @Override
        public Map<String, String> defaults() {
            return PowerOptions.DEFAULTS;
        }

        @Override
        protected Result execute() {
            return new OutcomeResult(options.service(this).power(hosts.selection(), action()), false);
        }
    }

    @Command(name = "status", description = "Show whether each host's power is on or off.")
    static final class Status extends Action {
        PowerAction action() {
            return PowerAction.STATUS;
        }
    }

    @Command(name = "on", description = "Power on.")
    static final class On extends Action {
        PowerAction action() {
            return PowerAction.ON;
        }
    }

    @Command(name = "off", description = "Power off at once (no OS shutdown).")
    static final class Off extends Action {
        PowerAction action() {
            return PowerAction.OFF;
        }
    }

    @Command(name = "soft", description = "Ask the OS to shut down (ACPI power button) and wait until off.")
    static final class Soft extends Action {
        PowerAction action() {
            return PowerAction.SOFT;
        }
    }

    @Command(name = "cycle", description = "Power off, then on; powers on a host that is off.")
    static final class Cycle extends Action {
        PowerAction action() {
            return PowerAction.CYCLE;
        }
    }

    @Command(name = "reset", description = "Hard reset; powers on a host that is off.")
    static final class Reset extends Action {
        PowerAction action() {
            return PowerAction.RESET;
        }
    }

    /** The per-host table of a power or boot run; exit 3 when some hosts failed, 1 when all did. */
    static final class OutcomeResult implements Result {
        private final List<PowerService.Outcome> outcomes;
        private final boolean boot;

        OutcomeResult(List<PowerService.Outcome> outcomes, boolean boot) {
            this.outcomes = outcomes;
            this.boot = boot;
        }

        @Override
        public Object json() {
            return JsonContract.list("hosts", outcomes.stream().map(OutcomeResult::toJson).toList());
        }

        private static Map<String, Object> toJson(PowerService.Outcome o) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("hostname", o.host());
            m.put("action", o.action());
            m.put("protocol", lower(o.protocol()));
            m.put("result", o.result());
            m.put("power", lower(o.power()));
            if (o.boot() == null) {
                m.put("boot", null);
            } else {
                Map<String, Object> b = new LinkedHashMap<>();
                b.put("device", lower(o.boot().device()));
                b.put("persistent", o.boot().persistent());
                b.put("uefi", o.boot().uefi());
                m.put("boot", b);
            }
            m.put("error", o.error());
            m.put("notes", o.notes());
            return m;
        }

        private static String lower(Enum<?> e) {
            return e == null ? null : e.name().toLowerCase(Locale.ROOT);
        }

        @Override
        public void print(PrintWriter out) {
            Table t = new Table("HOST", "ACTION", "VIA", "RESULT", boot ? "BOOT" : "POWER", "ERROR / NOTES")
                    .fit(Table.WIDTH, "--json prints them whole");
            for (PowerService.Outcome o : outcomes) {
                String state = boot ? PowerService.describe(o.boot()) : lower(o.power());
                String detail = o.error() != null ? o.error() : o.notes().isEmpty() ? null : String.join("; ", o.notes());
                t.row(o.host(), o.action(), lower(o.protocol()), o.result(), state, detail);
            }
            t.print(out);
        }

        @Override
        public int exitCode() {
            long failed = outcomes.stream().filter(o -> !o.ok()).count();
            return ExitCodes.forHosts(failed, outcomes.size() - failed);
        }
    }
}

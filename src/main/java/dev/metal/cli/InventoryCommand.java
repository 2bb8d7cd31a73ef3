package dev.metal.cli;

import dev.metal.inventory.InventoryDiff;
import dev.metal.inventory.InventoryService;
import dev.metal.model.Host;
import dev.metal.model.Inventory;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "inventory", description = "Show a host's hardware inventory and what changed since the scrape before.",
        subcommands = {InventoryCommand.Show.class, InventoryCommand.Diff.class})
public final class InventoryCommand {

    @Command(name = "show", description = {"Show the inventory of a host.",
        "The --json form is a stable contract: systems[] (manufacturer, model, serial, uuid, biosVersion, powerState,",
        "cpus, gpus, dimms, drives, nics, pcieDevices), bmc (firmware, mac) and warnings."})
    static final class Show extends BaseCommand {
        @Parameters(paramLabel = "HOST")
        String hostname;

        @Override
        protected Result execute() {
            Inventory inv = new InventoryService(store()).scraped(hostname).inventory();
            return Results.of(inv, out -> print(out, inv));
        }

        private void print(PrintWriter out, Inventory inv) {
            out.println(hostname + ", scraped " + inv.scrapedAt());
            for (Inventory.SystemInfo s : inv.systems()) {
                out.printf("%nsystem %s: %s %s, serial %s, BIOS %s, power %s%n", s.id(), s.manufacturer(),
                        s.model(), s.serial(), s.biosVersion(), s.powerState());
                Table cpus = new Table("SOCKET", "CPU", "CORES", "THREADS");
                s.cpus().forEach(c -> cpus.row(c.socket(), c.model(), c.cores(), c.threads()));
                section(out, "CPUs", cpus);
                Table dimms = new Table("SLOT", "GIB", "TYPE", "MHZ", "PART", "SERIAL");
                s.dimms().forEach(d -> dimms.row(d.slot(), d.populated() ? d.sizeGiB() : "empty", d.type(),
                        d.speedMhz(), d.partNumber(), d.serial()));
                section(out, "DIMMs", dimms);
                Table drives = new Table("BAY", "MODEL", "SERIAL", "BYTES", "PROTOCOL", "MEDIA", "BY-ID");
                s.drives().forEach(d -> drives.row(d.bay(), d.model(), d.serial(), d.capacityBytes(),
                        d.protocol(), d.media(), d.byIdPath()));
                section(out, "Drives", drives);
                Table nics = new Table("ADAPTER", "SLOT", "PORT", "MAC", "MBPS");
                s.nics().forEach(n -> nics.row(n.adapter(), n.slot(), n.port(), n.mac(), n.speedMbps()));
                section(out, "NICs", nics);
                Table pcie = new Table("SLOT", "MANUFACTURER", "MODEL", "TYPE");
                s.pcieDevices().forEach(p -> pcie.row(p.slot(), p.manufacturer(), p.model(), p.deviceClass()));
                section(out, "PCIe devices", pcie);
            }
            if (inv.bmc() != null) {
                out.printf("%nBMC: firmware %s, MAC %s%n", inv.bmc().firmware(), inv.bmc().mac());
            }
            for (String w : inv.warnings()) out.println("warning: " + w);
        }

        private static void section(PrintWriter out, String title, Table t) {
            if (t.size() == 0) return;
            out.println(title + ":");
            t.print(out);
        }
    }

    @Command(name = "diff", description = "What changed since the scrape before: a DIMM gone, a drive replaced, a NIC moved.")
    static final class Diff extends BaseCommand {
        @Parameters(paramLabel = "HOST")
        String hostname;

        @Override
        protected Result execute() {
            Host h = new InventoryService(store()).scrapedTwice(hostname);
            List<InventoryDiff.Change> changes = InventoryService.diff(h);
            Map<String, Object> json = new java.util.LinkedHashMap<>();
            json.put("hostname", hostname);
            json.put("before", h.previousInventory().scrapedAt());
            json.put("after", h.inventory().scrapedAt());
            json.put("changes", changes);
            return Results.of(json, out -> print(out, h, changes));
        }

        private static void print(PrintWriter out, Host h, List<InventoryDiff.Change> changes) {
            if (changes.isEmpty()) {
                out.println("no hardware change since " + h.previousInventory().scrapedAt());
                return;
            }
            Table t = new Table("SYSTEM", "KIND", "CHANGE", "WHERE", "BEFORE", "AFTER");
            for (InventoryDiff.Change c : changes) {
                t.row(c.system(), c.kind(), c.change(), c.key(), c.before(), c.after());
            }
            t.print(out);
        }
    }
}

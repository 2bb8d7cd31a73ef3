package dev.metal.importer;

import dev.metal.model.BadInputException;
import dev.metal.model.Bmc;
import dev.metal.model.Host;
import dev.metal.model.Secret;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Plans the import of a rack CSV: the whole file is checked, against itself and against
 * the hosts already known, before anything is written; the caller writes the changes.
 */
public final class RackImporter {
    private RackImporter() {}

    /** What an import did (or, with dry run, would do). */
    public record Outcome(String file, boolean dryRun, List<String> added, List<String> updated,
                          List<String> unchanged) {}

    /** A host to store, with the journal event and detail that say why. */
    public record Change(Host host, String event, Map<String, Object> detail) {}

    /** What the import does, and the changes that do it (none on a dry run). */
    public record Plan(Outcome outcome, List<Change> changes) {}

    /** Every problem of the file is one {@link BadInputException}. */
    public static Plan plan(String file, RackCsv.Sheet sheet, boolean update, Iterable<Host> existing, boolean dryRun,
                            Instant now) {
        List<RackRow> rows = sheet.rows();
        Map<String, Host> byName = new HashMap<>();
        Map<String, String> macOwner = new HashMap<>();
        for (Host h : existing) {
            byName.put(h.hostname(), h);
            if (h.bmc() != null && h.bmc().mac() != null) macOwner.put(h.bmc().mac(), h.hostname());
            if (h.mgmtMac() != null) macOwner.put(h.mgmtMac(), h.hostname());
        }
        Problems problems = sheet.problems();
        List<String> added = new ArrayList<>();
        List<String> updated = new ArrayList<>();
        List<String> unchanged = new ArrayList<>();
        Map<RackRow, Host> changes = new LinkedHashMap<>();
        for (RackRow row : rows) {
            checkMac(row.line(), "BMC MAC", row.bmcMac(), row.hostname(), macOwner, problems);
            if (row.mgmtMac() != null) checkMac(row.line(), "mgmt MAC", row.mgmtMac(), row.hostname(), macOwner, problems);
            Host old = byName.get(row.hostname());
            if (old == null) {
                added.add(row.hostname());
                changes.put(row, null);
                continue;
            }
            Host merged = merge(old, row);
            if (merged.equals(old)) {
                unchanged.add(row.hostname());
            } else if (update) {
                updated.add(row.hostname());
                changes.put(row, merged);
            } else {
                problems.add(row.line(), row.hostname() + " is already known with other values ("
                        + differences(old, merged) + "); use --update to change it");
            }
        }
        if (!problems.isEmpty()) throw new BadInputException(problems.list());
        List<Change> out = new ArrayList<>();
        if (!dryRun) {
            for (Map.Entry<RackRow, Host> change : changes.entrySet()) {
                RackRow row = change.getKey();
                if (change.getValue() == null) {
                    out.add(new Change(Host.imported(row.hostname(), row.rack(), row.u(), bmc(row, null), row.mgmtMac(),
                            row.serial(), row.tags(), now), "imported", Map.of("file", file, "line", row.line())));
                } else {
                    out.add(new Change(change.getValue(), "updated", Map.of("file", file, "line", row.line(),
                            "changed", differences(byName.get(row.hostname()), change.getValue()))));
                }
            }
        }
        return new Plan(new Outcome(file, dryRun, added, updated, unchanged), out);
    }

    private static void checkMac(int line, String what, String mac, String hostname, Map<String, String> owners,
                                 Problems problems) {
        String owner = owners.get(mac);
        if (owner != null && !owner.equals(hostname)) {
            problems.add(line, "duplicate " + what + " " + mac + ": already used by host " + owner);
        }
    }

    /** The host as the row describes it; a discovered BMC address is kept when the row gives none. */
    private static Host merge(Host old, RackRow row) {
        return old.withIdentity(row.rack(), row.u(), bmc(row, old.bmc()), row.mgmtMac(), row.serial(), row.tags());
    }

    private static Bmc bmc(RackRow row, Bmc old) {
        String address = row.bmcAddress() != null ? row.bmcAddress() : old == null ? null : old.address();
        String fingerprint = old == null ? null : old.tlsFingerprint();
        return new Bmc(row.bmcMac(), address, row.bmcUser(), Secret.of(row.bmcPassword()), row.ipmiPort(), fingerprint);
    }

    /** The names of the fields that differ, never their values (one may be a password). */
    private static String differences(Host a, Host b) {
        List<String> d = new ArrayList<>();
        if (!Objects.equals(a.rack(), b.rack())) d.add("rack");
        if (a.u() != b.u()) d.add("u");
        if (!Objects.equals(a.bmc().mac(), b.bmc().mac())) d.add("bmc_mac");
        if (!Objects.equals(a.bmc().address(), b.bmc().address())) d.add("bmc_address");
        if (!Objects.equals(a.bmc().user(), b.bmc().user())) d.add("bmc_user");
        if (!Objects.equals(a.bmc().password(), b.bmc().password())) d.add("bmc_password");
        if (a.bmc().ipmiPort() != b.bmc().ipmiPort()) d.add("ipmi_port");
        if (!Objects.equals(a.mgmtMac(), b.mgmtMac())) d.add("mgmt_mac");
        if (!Objects.equals(a.serial(), b.serial())) d.add("serial");
        if (!Objects.equals(a.tags(), b.tags())) d.add("tags");
        return String.join(", ", d);
    }
}

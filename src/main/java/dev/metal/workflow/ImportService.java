package dev.metal.workflow;

import dev.metal.importer.RackCsv;
import dev.metal.importer.RackImporter;
import dev.metal.model.BadInputException;
import dev.metal.state.HostQuery;
import dev.metal.state.Store;
import java.nio.file.Path;

/** 'metal import': the rack CSV checked whole against the hosts known, then stored in one change. */
public final class ImportService {
    private final Store store;

    public ImportService(Store store) {
        this.store = store;
    }

    public RackImporter.Outcome importFile(Path file, boolean update, boolean dryRun) {
        return importFile(file, update, dryRun, RackCsv.Defaults.NONE);
    }

    /** @param defaults BMC credentials for the rows that leave them out */
    public RackImporter.Outcome importFile(Path file, boolean update, boolean dryRun, RackCsv.Defaults defaults) {
        if (!defaults.problems().isEmpty()) throw new BadInputException(defaults.problems());
        RackCsv.Sheet sheet = RackCsv.read(file, defaults);
        String name = file.toString();
        // Checked before the lock is taken, so that a bad file leaves nothing behind, not even a lock file.
        RackImporter.Outcome checked = RackImporter.plan(name, sheet, update, store.hosts(HostQuery.all()), true, null)
                .outcome();
        if (dryRun) return checked;
        return store.update(tx -> {
            RackImporter.Plan plan = RackImporter.plan(name, sheet, update, tx.hosts(HostQuery.all()), false, tx.now());
            for (RackImporter.Change c : plan.changes()) tx.put(c.host(), c.event(), c.detail());
            return plan.outcome();
        });
    }
}

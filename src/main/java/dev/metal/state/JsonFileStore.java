package dev.metal.state;

import dev.metal.model.Host;
import dev.metal.model.Macs;
import dev.metal.model.ProfileMatch;
import dev.metal.model.Site;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The state as one JSON file with a journal beside it (see {@link StateStore}), as metal
 * kept it before its SQL engines: every read parses the file, every change rewrites it
 * under an exclusive file lock. {@link Stores} moves such a file to SQLite on first use;
 * tests still make JSON states with it, to check that move.
 */
public final class JsonFileStore implements Store {
    private final StateStore file;

    /** @param command what the journal records as the cause of changes (no secrets) */
    public JsonFileStore(Path path, String command, Clock clock) {
        this.file = new StateStore(path, command, clock);
    }

    @Override
    public String location() {
        return file.file().toString();
    }

    @Override
    public Host host(String hostname) {
        return file.load().host(hostname);
    }

    @Override
    public List<Host> hosts(HostQuery query) {
        List<Host> out = new ArrayList<>();
        for (Host h : file.load().hosts().values()) {
            if (query.test(h)) out.add(query.inventories() ? h : withoutInventories(h));
        }
        return out;
    }

    @Override
    public Host hostByMac(String mac) {
        String wanted = Macs.normalize(mac);
        if (wanted == null) return null;
        for (Host h : file.load().hosts().values()) {
            if (wanted.equals(Macs.normalize(h.mgmtMac()))) return h;
            ProfileMatch m = h.match();
            if (m != null && m.nics() != null) {
                for (ProfileMatch.NamedNic nic : m.nics().values()) {
                    if (wanted.equals(Macs.normalize(nic.mac()))) return h;
                }
            }
        }
        return null;
    }

    @Override
    public Site site() {
        return file.load().site();
    }

    @Override
    public Map<String, Integer> poolTargets() {
        return file.load().poolTargets();
    }

    @Override
    public List<JournalEntry> journal(JournalQuery query) {
        List<JournalEntry> out = new ArrayList<>();
        for (JournalEntry e : file.journal()) {
            if (query.host() != null && !query.host().equals(e.host())) continue;
            if (query.events() != null && !query.events().contains(e.event())) continue;
            if (query.since() != null && e.time().isBefore(query.since())) continue;
            out.add(e);
        }
        if (query.limit() > 0 && out.size() > query.limit()) return List.copyOf(out.subList(out.size() - query.limit(), out.size()));
        return out;
    }

    @Override
    public <T> T update(Change<T> change) {
        return file.update(change);
    }

    @Override
    public void export(java.io.OutputStream out) {
        State state = file.load();
        SqlStore.Dump dump = new SqlStore.Dump(state.schemaVersion(), state.hosts(), state.site(), state.poolTargets(),
                file.journal());
        try {
            StateStore.mapper().writeValue(new java.io.FilterOutputStream(out) {
                @Override
                public void close() throws java.io.IOException {
                    flush();
                }
            }, dump);
        } catch (java.io.IOException e) {
            throw new StateException("cannot write the export: " + e.getMessage(), e);
        }
    }

    @Override
    public int importState(java.io.InputStream in, String source) {
        throw new StateException("the JSON state file engine is only read, to move its state to SQLite");
    }

    /** The whole state and journal, for the move to SQLite. */
    SqlStore.Dump dump() {
        State state = file.load();
        return new SqlStore.Dump(state.schemaVersion(), state.hosts(), state.site(), state.poolTargets(), file.journal());
    }

    @Override
    public RequestLock lockRequest(String requestId) {
        return FileRequestLock.tryAcquire(file.file(), requestId);
    }

    @Override
    public void close() {
        // nothing is held between calls
    }

    /** A host as bulk reads give it: without its inventories, which are most of its size. */
    static Host withoutInventories(Host h) {
        if (h.inventory() == null && h.previousInventory() == null) return h;
        return new Host(h.hostname(), h.rack(), h.u(), h.bmc(), h.mgmtMac(), h.serial(), h.tags(), h.state(),
                h.stateReason(), h.stateSince(), null, null, h.match(), h.addresses(), h.provisioning());
    }
}

package dev.metal.workflow;

import dev.metal.boot.BootBackend;
import dev.metal.boot.BootTokens;
import dev.metal.model.Host;
import dev.metal.model.Provisioning;
import dev.metal.model.Site;
import dev.metal.state.Store;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/** The boot server's reads and records, over the state: one query or one transaction each. */
public final class StoreBootBackend implements BootBackend {
    private final Store store;
    private final Consumer<String> onPhoneHome;

    /** @param onPhoneHome told the host name after each phone-home is recorded */
    public StoreBootBackend(Store store, Consumer<String> onPhoneHome) {
        this.store = store;
        this.onPhoneHome = onPhoneHome;
    }

    public StoreBootBackend(Store store) {
        this(store, hostname -> {});
    }

    @Override
    public Host hostByMac(String mac) {
        return store.hostByMac(mac);
    }

    @Override
    public Host host(String hostname) {
        return store.host(hostname);
    }

    @Override
    public Site site() {
        return store.site();
    }

    @Override
    public boolean recordPhoneHome(String hostname, String token, String from) {
        boolean recorded = store.update(tx -> {
            Host h = tx.host(hostname);
            if (h == null || !BootTokens.valid(h, token)) return false;
            Provisioning p = h.provisioning();
            if (p.phonedHomeAt() == null) {
                tx.put(h.withProvisioning(p.withPhonedHomeAt(tx.now())), "phoned-home", Map.of("from", from));
            }
            return true;
        });
        if (recorded) onPhoneHome.accept(hostname);
        return recorded;
    }

    @Override
    public boolean recordReport(String hostname, String token, String stage, String reason, Map<String, Object> detail) {
        boolean recorded = store.update(tx -> {
            Host h = tx.host(hostname);
            if (h == null || !BootTokens.valid(h, token)) return false;
            Provisioning p = h.provisioning();
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("request", p.requestId());
            d.put("stage", stage);
            if (reason != null) d.put("reason", reason);
            d.putAll(detail);
            String text = reason == null || reason.isEmpty() ? stage : stage + ": " + reason;
            tx.put(h.withProvisioning(p.withStage(text, tx.now())), "boot-stage", d);
            return true;
        });
        // A failure ends the wait at once; the watch reads the stage.
        if (recorded && stage.equals("failed")) onPhoneHome.accept(hostname);
        return recorded;
    }

    @Override
    public void journalRefusal(String hostname, Map<String, Object> detail) {
        store.update(tx -> {
            tx.journal(hostname, "boot-refused", detail);
            return null;
        });
    }
}

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
        journalRequest(hostname, "boot-refused", detail);
    }

    /** With the request and attempt of the host's provisioning in progress, so a run reads its own. */
    @Override
    public void journalRequest(String hostname, String event, Map<String, Object> detail) {
        store.update(tx -> {
            Map<String, Object> d = new LinkedHashMap<>(detail);
            Host h = hostname == null ? null : tx.host(hostname);
            Provisioning p = h == null ? null : h.provisioning();
            if (p != null && BootTokens.live(h) != null) {
                d.put("request", p.requestId());
                d.put("attempt", p.attempt());
            }
            tx.journal(hostname, event, d);
            return null;
        });
    }
}

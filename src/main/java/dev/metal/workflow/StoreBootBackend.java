package dev.metal.workflow;

import dev.metal.boot.BootBackend;
import dev.metal.boot.BootTokens;
import dev.metal.model.Host;
import dev.metal.model.Provisioning;
import dev.metal.model.Site;
import dev.metal.state.JournalEntry;
import dev.metal.state.JournalQuery;
import dev.metal.state.Store;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
            if (p.phonedHomeAt() == null && !installedSystemUp(tx.site(), p)) {
                // An image OS counts the installed system's phone-home only: the agent has said it boots it.
                tx.journal(hostname, "phone-home-early", Map.of("from", from, "reason",
                        "OS " + p.os() + " is an image; only the installed system phones home, after the agent's kexec"));
                return false;
            }
            if (p.phonedHomeAt() == null) {
                tx.put(h.withProvisioning(p.withPhonedHomeAt(tx.now())), "phoned-home", Map.of("from", from));
            }
            return true;
        });
        if (recorded) onPhoneHome.accept(hostname);
        return recorded;
    }

    /** For an image OS: whether the agent reported that it kexecs into the installed system. Other OS: true. */
    private static boolean installedSystemUp(Site site, Provisioning p) {
        Site.Os os = site == null || p.os() == null ? null : site.os().get(p.os());
        if (os == null || !os.hasImage()) return true;
        return p.stage() != null && p.stage().startsWith("working: kexec");
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

    /** Who holds each attempt's boot script, by host, request and attempt; the journal has it across restarts. */
    private final Map<String, String> scriptHolders = new ConcurrentHashMap<>();

    @Override
    public String claimBootScript(String hostname, String token, String from) {
        Host h = store.host(hostname);
        if (h == null || !BootTokens.valid(h, token)) return null;
        Provisioning p = h.provisioning();
        String key = hostname + "\n" + p.requestId() + "\n" + p.attempt();
        String holder = scriptHolders.get(key);
        if (holder != null) return holder;
        synchronized (scriptHolders) {
            holder = scriptHolders.get(key);
            if (holder != null) return holder;
            for (JournalEntry e : store.journal(JournalQuery.forHost(hostname).ofEvents("boot-script-served"))) {
                Map<String, Object> d = e.detail();
                if (String.valueOf(p.requestId()).equals(String.valueOf(d.get("request")))
                        && String.valueOf(p.attempt()).equals(String.valueOf(d.get("attempt")))) {
                    holder = String.valueOf(d.get("from"));
                }
            }
            if (holder == null) {
                holder = from;
                Map<String, Object> detail = new LinkedHashMap<>();
                detail.put("from", from);
                detail.put("request", p.requestId());
                detail.put("attempt", p.attempt());
                store.update(tx -> {
                    tx.journal(hostname, "boot-script-served", detail);
                    return null;
                });
            }
            scriptHolders.put(key, holder);
            return holder;
        }
    }

    @Override
    public void journalAlarm(String hostname, Map<String, Object> detail) {
        // With the attempt, so that provision can name the refused script as the step that failed.
        journalRequest(hostname, "boot-alarm", detail);
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

package dev.metal.provision;

import dev.metal.state.JournalEntry;
import dev.metal.state.JournalQuery;
import dev.metal.state.Store;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which boot step a failed attempt stopped at, read from what the boot server journaled for
 * that host and attempt: the iPXE script it handed out (or refused), the files it could not
 * serve, the configs fetched, and the reports the installer or agent sent.
 */
final class BootTrail {
    /**
     * Why an attempt failed. {@code key} is the same for the same cause on different hosts;
     * {@code systemic} when the cause lies in what metal serves (files, scripts, configs, the
     * network's path to the boot server) rather than in the machine, so that it repeating on
     * another host means every host would fail the same way.
     */
    record Cause(String key, boolean systemic, String text) {
        static Cause hardware(String key, String text) {
            return new Cause(key, false, text);
        }
    }

    private BootTrail() {}

    /** The cause of a phone-home that never came within {@code waited} for this host's attempt. */
    static Cause noPhoneHome(Store store, String hostname, String requestId, int attempt, Instant since,
                             String waited) {
        return classify(entries(store, hostname, requestId, attempt, since), waited);
    }

    /** This attempt's journal entries: recorded while the host's token was live for it. */
    private static List<JournalEntry> entries(Store store, String hostname, String requestId, int attempt,
                                              Instant since) {
        JournalQuery q = JournalQuery.forHost(hostname);
        if (since != null) q = q.since(since);
        List<JournalEntry> out = new ArrayList<>();
        for (JournalEntry e : store.journal(q)) {
            Map<String, Object> d = e.detail();
            if (d == null || !requestId.equals(d.get("request"))) continue;
            Object a = d.get("attempt");
            if (a instanceof Number n && n.intValue() != attempt) continue;
            out.add(e);
        }
        return out;
    }

    static Cause classify(List<JournalEntry> entries, String waited) {
        JournalEntry script = null;
        JournalEntry config = null;
        JournalEntry alarm = null;
        for (JournalEntry e : entries) {
            Map<String, Object> d = e.detail();
            String event = e.event();
            if (isFailureReport(event, d)) {
                String what = first(d, "message", "reason", "step", "stage");
                return Cause.hardware("install-failed", "install reported failure" + (what == null ? "" : ": " + what));
            }
            switch (event) {
                case "boot-stage" -> {
                    // Stages the boot server records: script served, then what the agent or script reports.
                    String stage = Objects.toString(d.get("stage"), "");
                    String reason = d.get("reason") == null ? null : d.get("reason").toString();
                    if (stage.equals("script")) {
                        script = script == null ? e : script;
                    } else if (stage.equals("failed")) {
                        String why = reason == null ? "no reason given" : reason;
                        if (why.startsWith("script refused")) return new Cause("refused:" + why, true, why);
                        boolean files = why.contains("kernel") || why.contains("initrd");
                        if (files) return new Cause("failed:" + why, true, why);
                        return Cause.hardware("install-failed", "install reported failure: " + why);
                    } else if (config == null) {
                        config = e; // the agent booted and reported: the boot files were fine
                    }
                }
                case "boot-refused" -> {
                    String reason = Objects.toString(d.get("reason"), "refused");
                    String path = Objects.toString(d.get("path"), "");
                    String what = path.startsWith("/config/") ? "config" : "script";
                    return new Cause("refused:" + reason, true, what + " refused: " + reason);
                }
                case "boot-script" -> script = script == null ? e : script;
                case "boot-alarm" -> alarm = alarm == null ? e : alarm;
                case "boot-config" -> config = config == null ? e : config;
                case "boot-file" -> {
                    Object status = d.get("status");
                    String path = Objects.toString(d.get("path"), "?");
                    if (status instanceof Number s && s.intValue() >= 400) {
                        return new Cause("file:" + path + ":" + s.intValue(), true,
                                "kernel or initrd not found: GET " + path + " -> " + s.intValue());
                    }
                }
                default -> { }
            }
        }
        if (config == null && alarm != null) {
            // The attempt's script went to one address; the host (or someone) asked from another and was refused.
            Map<String, Object> d = alarm.detail();
            return new Cause("refused:served-elsewhere", true, "script refused: the boot script of this attempt went to "
                    + d.get("servedTo") + " first, then " + d.get("from") + " asked for it (someone else holds the "
                    + "token, or the host's address changed during PXE; see 'metal host history')");
        }
        if (script == null) {
            return new Cause("no-script", true, "never asked for its iPXE script within " + waited
                    + " (PXE did not reach the boot server: DHCP, network or boot order)");
        }
        if (config == null) {
            return new Cause("no-config", true, "fetched its iPXE script but never asked for its config within "
                    + waited + " (the kernel or initrd did not start: broken boot files?)");
        }
        if (config.event().equals("boot-stage")) {
            return Cause.hardware("no-phone-home", "booted (last stage: " + config.detail().get("stage")
                    + ") but never phoned home within " + waited);
        }
        return Cause.hardware("no-phone-home", "booted the installer (it fetched its "
                + Objects.toString(config.detail().get("kind"), "config") + ") but never phoned home within " + waited);
    }

    /** A report of the installer or agent that says the install failed. */
    private static boolean isFailureReport(String event, Map<String, Object> d) {
        if (event.equals("provision-failed") || event.equals("boot-refused")) return false;
        return event.endsWith("-failed") || event.equals("install-failed")
                || "failed".equals(d.get("result")) || "failed".equals(d.get("status"));
    }

    private static String first(Map<String, Object> d, String... keys) {
        for (String k : keys) if (d.get(k) != null) return d.get(k).toString();
        return null;
    }
}

package dev.metal.workflow;

import dev.metal.model.Host;
import dev.metal.model.HostState;
import dev.metal.model.Macs;
import dev.metal.model.Profile;
import dev.metal.model.ProfileMatch;
import dev.metal.model.Site;
import dev.metal.profile.Matcher;
import dev.metal.state.Store;
import dev.metal.state.Transaction;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * 'metal match': matches hosts against the profiles and stores the outcome. A match makes
 * the host ready with its resolved names; no match makes it failed, with the nearest
 * profile and every difference stored in the match and given as the state reason. A host
 * that is provisioning or active (or quarantined) is never touched.
 */
public final class MatchService {
    /** The states a host can be (re-)matched from. */
    private static final Set<HostState> MATCHABLE = EnumSet.of(HostState.INVENTORIED, HostState.READY, HostState.FAILED);

    /** What happened to one host. {@code ok} is false for failed and ambiguous hosts. */
    public record HostOutcome(String host, String result, boolean ok, String profile, String nearest,
                              String detail, List<String> differences) {
        static HostOutcome of(String host, String result, boolean ok, String profile, String detail) {
            return new HostOutcome(host, result, ok, profile, null, detail, List.of());
        }
    }

    public record Outcome(List<HostOutcome> hosts) {
        public long failed() {
            return hosts.stream().filter(h -> !h.ok()).count();
        }

        public long succeeded() {
            return hosts.stream().filter(h -> h.ok() && !h.result().equals("skipped")).count();
        }
    }

    private final Store store;
    private final Matcher matcher;

    public MatchService(Store store, List<Profile> profiles) {
        this.store = store;
        this.matcher = new Matcher(profiles);
    }

    /**
     * Matches the hosts named, or of --all or --rack those that have been inventoried (and are
     * not in use). A host named that cannot be matched now says why.
     */
    public Outcome match(HostSelection selection) {
        return store.update(tx -> {
            List<Host> hosts = new ArrayList<>();
            for (Host h : selection.hosts(tx, true)) {
                if (selection.byName() || (MATCHABLE.contains(h.state()) && h.inventory() != null)) hosts.add(h);
            }
            List<HostOutcome> outcomes = new ArrayList<>();
            for (Host h : hosts) {
                outcomes.add(matchOne(h, tx));
            }
            return new Outcome(outcomes);
        });
    }

    private HostOutcome matchOne(Host h, Transaction tx) {
        String name = h.hostname();
        if (!MATCHABLE.contains(h.state())) {
            String why = h.state() == HostState.PROVISIONING || h.state() == HostState.ACTIVE
                    ? "is " + h.state() + "; a host in use is not re-matched"
                    : "is " + h.state() + "; match needs an inventoried host";
            return HostOutcome.of(name, "skipped", true, null, why);
        }
        if (h.inventory() == null) {
            return HostOutcome.of(name, "failed", false, null, "has no inventory; scrape it first");
        }
        Matcher.Outcome outcome = matcher.match(h.inventory());
        if (outcome instanceof Matcher.Ambiguous amb) {
            // The profiles overlap; the host is not at fault, so its state stays as it is.
            return HostOutcome.of(name, "ambiguous", false, null, "matches " + amb.profiles().size()
                    + " profiles: " + String.join(" and ", amb.profiles())
                    + "; a host must match exactly one, make these profiles differ");
        }
        if (outcome instanceof Matcher.Matched m) {
            ProfileMatch match = m.match();
            String wrongMac = mgmtMacMismatch(h.withMatch(match), tx.site());
            if (wrongMac != null) return fault(h, ProfileMatch.missed(new ProfileMatch.Miss(match.profile(),
                    List.of(wrongMac))), "profile " + match.profile() + " matches, but " + wrongMac, "mgmt_mac differs from the scrape", tx);
            if (h.state() == HostState.READY && match.equals(h.match())) {
                return HostOutcome.of(name, "unchanged", true, match.profile(), "ready");
            }
            Host next = h.withMatch(match).moveTo(HostState.READY, "matched profile " + match.profile(), tx.now());
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("profile", match.profile());
            detail.put("evidence", match.evidence());
            tx.put(next, "matched", detail);
            return HostOutcome.of(name, "matched", true, match.profile(), match.evidence());
        }
        ProfileMatch.Miss miss = ((Matcher.Missed) outcome).miss();
        return fault(h, ProfileMatch.missed(miss), reason(miss), "no profile matches", tx);
    }

    /** The host is failed with these differences (unchanged when it already was, for the same ones). */
    private static HostOutcome fault(Host h, ProfileMatch failed, String reason, String what, Transaction tx) {
        String name = h.hostname();
        ProfileMatch.Miss miss = failed.miss();
        if (h.state() == HostState.FAILED && failed.equals(h.match())) {
            return new HostOutcome(name, "failed", false, null, miss.nearestProfile(), "still " + what,
                    miss.differences());
        }
        Host next = h.withMatch(failed).moveTo(HostState.FAILED, reason, tx.now());
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("nearest", miss.nearestProfile());
        detail.put("differences", miss.differences());
        tx.put(next, "match-failed", detail);
        return new HostOutcome(name, "failed", false, null, miss.nearestProfile(), what, miss.differences());
    }

    /**
     * A mgmt_mac from the rack CSV that is not the MAC the scrape found on the NIC that the site
     * plan's nics.mgmt names (a cable in the wrong port, or a typo on the sheet), in words; else null.
     */
    static String mgmtMacMismatch(Host matched, Site site) {
        if (matched.mgmtMac() == null) return null;
        ProfileMatch.NamedNic nic = matched.scrapedMgmtNic(site);
        if (nic == null || nic.mac() == null) return null;
        if (Macs.normalize(nic.mac()).equals(Macs.normalize(matched.mgmtMac()))) return null;
        return "mgmt_mac " + Macs.normalize(matched.mgmtMac()) + " in the rack CSV is not the MAC of NIC " + nic.name()
                + (nic.slot() == null ? "" : " in slot " + nic.slot()) + " (" + Macs.normalize(nic.mac()) + ")";
    }

    /** The state reason of a host that matched no profile. */
    static String reason(ProfileMatch.Miss miss) {
        String nearest = miss.nearestProfile() == null ? "" : "; nearest " + miss.nearestProfile();
        return "no profile matches" + nearest + ": " + String.join("; ", miss.differences());
    }
}

package dev.metal.onboard;

import dev.metal.bmc.ProviderOptions;
import dev.metal.discover.Discoverer;
import dev.metal.discover.Leases;
import dev.metal.importer.RackCsv;
import dev.metal.importer.RackImporter;
import dev.metal.inventory.ScrapeService;
import dev.metal.model.BadInputException;
import dev.metal.model.Host;
import dev.metal.model.HostState;
import dev.metal.model.Profile;
import dev.metal.model.Site;
import dev.metal.profile.ProfileFiles;
import dev.metal.render.Renderer;
import dev.metal.render.SitePlans;
import dev.metal.state.HostQuery;
import dev.metal.state.Store;
import dev.metal.util.Log;
import dev.metal.util.Parallel;
import dev.metal.util.Progress;
import dev.metal.workflow.DiscoverService;
import dev.metal.workflow.HostSelection;
import dev.metal.workflow.ImportService;
import dev.metal.workflow.MatchService;
import dev.metal.workflow.RenderService;
import dev.metal.workflow.Services;
import dev.metal.workflow.SiteService;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * 'metal onboard': a rack CSV to a report of which servers are ready and which to pull.
 * The whole file, the leases, the profiles and the site plan are checked first (bad input
 * changes nothing). Then every host of the file goes on its own, many at once: its BMC from
 * the leases, its inventory from the BMC, its profile match; and at the end the DHCP
 * reservations of the BMCs and management NICs are written. Each step is the one the single
 * commands run (import, discover, scrape, match, render dhcp). Hosts that are ready (or in
 * use) are left as they are, so that a second run changes nothing and a host fixed on the
 * floor becomes ready when it is run again.
 */
public final class OnboardService {
    /** Hosts left as they are: ready, or taken by provisioning and in use. */
    private static final Set<HostState> SETTLED = EnumSet.of(HostState.READY, HostState.PROVISIONING, HostState.ACTIVE);

    /**
     * @param defaults  BMC credentials for rows without them
     * @param format    the lease file's format; null: recognized from the content
     * @param site      a site plan file to store first, or null for the one in the state
     * @param out       where the DHCP reservation files go
     * @param parallel  hosts worked on at once
     * @param providers how BMCs are read
     */
    public record Request(Path csv, RackCsv.Defaults defaults, Path leases, Leases.Format format, String scheme,
                          int port, Path profiles, Path site, Path out, int parallel, ProviderOptions providers) {}

    private final Services services;
    private final Store store;
    private final Log log;

    public OnboardService(Services services, Store store, Log log) {
        this.services = services;
        this.store = store;
        this.log = log;
    }

    public OnboardReport run(Request request, Progress progress) {
        Progress told = progress == null ? Progress.NONE : progress;
        // Everything a person typed or wrote is checked before the first change.
        List<String> problems = new ArrayList<>();
        if (request.parallel() < 1) problems.add("--parallel must be at least 1");
        if (!request.scheme().equals("https") && !request.scheme().equals("http")) {
            problems.add("--scheme must be https or http, not '" + request.scheme() + "'");
        }
        if (request.port() < 0 || request.port() > 65535) problems.add("--port " + request.port() + " is out of range");
        problems.addAll(request.defaults().problems());
        if (!problems.isEmpty()) throw new BadInputException(problems);
        Leases.Parsed leases = Leases.read(request.leases(), request.format());
        List<Profile> profiles = ProfileFiles.loadFolder(request.profiles()).stream()
                .map(ProfileFiles.Loaded::profile).toList();
        Site plan = request.site() == null ? null : SitePlans.read(request.site());
        if (plan == null && store.site() == null) {
            throw new BadInputException("no site plan in the state yet: give --site FILE (the reservations need "
                    + "its addresses)");
        }

        RackImporter.Outcome imported = new ImportService(store).importFile(request.csv(), true, false,
                request.defaults());
        if (plan != null && !plan.equals(store.site())) new SiteService(store).set(request.site(),
                request.site().toAbsolutePath().resolveSibling("files"));
        Site site = store.site();
        List<String> names = new ArrayList<>(new LinkedHashSet<>(concat(imported)));

        // One read of every host to start from: each read of the state parses all of it.
        Map<String, Host> before = byName(store.hosts(HostQuery.all()));
        PerHost work = new PerHost(request, leases, new MatchService(store, profiles), site, told, before);
        List<Finding> findings;
        try {
            findings = Parallel.map(names, request.parallel(), "metal-onboard", work::onboard);
        } catch (Parallel.Interrupted e) {
            throw new dev.metal.model.SystemicException("interrupted; run 'metal onboard' again to continue");
        }

        RenderService.Outcome rendered = new RenderService(store, null, log)
                .render(new RenderService.Request(Renderer.Kind.DHCP, null, request.out(), null, null));
        List<String> files = rendered.written().stream()
                .map(f -> request.out().relativize(Path.of(f)).toString()).sorted().toList();

        List<OnboardReport.HostLine> lines = new ArrayList<>();
        Map<String, Host> after = byName(store.hosts(HostQuery.all()));
        for (Finding f : findings) {
            Host h = after.get(f.hostname());
            if (h == null) continue; // removed while we worked
            if (f.faults().isEmpty() && !h.hasSiteAddresses()) {
                // Ready, but the site plan gave it no addresses to reserve (its rack is not in it, or full).
                String why = rendered.failures().stream().filter(m -> m.startsWith(h.hostname() + ": ")).findFirst()
                        .map(m -> m.substring(h.hostname().length() + 2))
                        .orElse("rack " + h.rack() + " has no addresses in the site plan");
                told.failed(h.hostname(), h.state().label(), why);
                f = Finding.fault(h.hostname(), "reservation", List.of(why));
            }
            boolean reserved = f.faults().isEmpty();
            if (reserved) told.done(h.hostname(), h.state().label(), "ready; BMC and management NIC reserved");
            lines.add(new OnboardReport.HostLine(h.hostname(), h.rack(), h.u(),
                    reserved ? OnboardReport.STATUS_READY : OnboardReport.STATUS_FAULTY, h.state().label(),
                    h.profile(), f.step(), f.faults()));
        }
        lines.sort(Comparator.comparing(OnboardReport.HostLine::rack, Comparator.nullsLast(Comparator.naturalOrder()))
                .thenComparingInt(OnboardReport.HostLine::u).thenComparing(OnboardReport.HostLine::hostname));
        long ready = lines.stream().filter(OnboardReport.HostLine::isReady).count();
        return new OnboardReport(request.csv().toString(), lines, ready, lines.size() - ready,
                new OnboardReport.Reservations(request.out().toString(), files));
    }

    private static Map<String, Host> byName(List<Host> hosts) {
        Map<String, Host> m = new HashMap<>();
        for (Host h : hosts) m.put(h.hostname(), h);
        return m;
    }

    private static List<String> concat(RackImporter.Outcome o) {
        List<String> all = new ArrayList<>(o.added());
        all.addAll(o.updated());
        all.addAll(o.unchanged());
        return all;
    }

    /** Where one host got to: the step it stopped at ("done" when ready) and what is wrong, in words. */
    private record Finding(String hostname, String step, List<String> faults) {
        static Finding ready(String hostname) {
            return new Finding(hostname, "done", List.of());
        }

        static Finding fault(String hostname, String step, List<String> faults) {
            return new Finding(hostname, step, faults);
        }
    }

    /** One host's way through the steps, on a thread of its own. */
    private final class PerHost {
        private final Request request;
        private final Leases.Parsed leases;
        private final MatchService matcher;
        private final Site site;
        private final Progress told;
        private final Map<String, Host> before;

        PerHost(Request request, Leases.Parsed leases, MatchService matcher, Site site, Progress told,
                Map<String, Host> before) {
            this.before = before;
            this.request = request;
            this.leases = leases;
            this.matcher = matcher;
            this.site = site;
            this.told = told;
        }

        Finding onboard(String name) {
            String step = "lease";
            try {
                Host h = before.get(name);
                if (SETTLED.contains(h.state())) {
                    told.working(name, h.state().label(), "left as it is");
                    return settled(h);
                }
                if (h.state() == HostState.QUARANTINED) {
                    told.failed(name, h.state().label(), "quarantined, left as it is");
                    return Finding.fault(name, "quarantined", List.of("quarantined: " + h.stateReason()
                            + " ('metal host release' once it is fixed)"));
                }
                told.working(name, h.state().label(), "finding the BMC in the leases");
                String address = discover(h);
                if (address == null) {
                    String fault = "BMC never asked for an address: no DHCP lease for its MAC " + h.bmc().mac() + " in "
                            + request.leases() + " (cabled to the BMC network? powered?)";
                    told.failed(h.hostname(), null, fault);
                    return Finding.fault(h.hostname(), "lease", List.of(fault));
                }

                step = "scrape";
                told.working(name, null, "reading the BMC at " + address);
                ScrapeService.HostResult scraped = scrape(h);
                if (!scraped.ok()) {
                    String fault = "BMC at " + address + " never answered: " + scraped.error();
                    told.failed(name, null, fault);
                    return Finding.fault(name, step, List.of(fault));
                }

                step = "match";
                told.working(name, scraped.state().label(), "matching the profiles");
                MatchService.HostOutcome matched = matcher.match(HostSelection.named(List.of(name))).hosts().get(0);
                h = store.host(name);
                if (!matched.ok()) {
                    List<String> faults = matched.differences().isEmpty() ? List.of(matched.detail())
                            : matched.differences();
                    told.failed(name, h.state().label(), String.join("; ", faults));
                    return Finding.fault(name, step, faults);
                }
                step = "reservation";
                if (h.managementMac(site) == null) {
                    String fault = h.unknownManagementMac(site).substring(name.length() + 2);
                    told.failed(name, h.state().label(), fault);
                    return Finding.fault(name, step, List.of(fault));
                }
                told.working(name, h.state().label(), "matched " + h.profile() + "; reserving addresses");
                return Finding.ready(name);
            } catch (RuntimeException e) {
                String fault = step + " failed: " + Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName());
                told.failed(name, null, fault);
                return Finding.fault(name, step, List.of(fault));
            }
        }

        /** A host that is ready or in use: reported as it is, faulty only when its management MAC is unknown. */
        private Finding settled(Host h) {
            if (h.managementMac(site) == null) {
                return Finding.fault(h.hostname(), "reservation",
                        List.of(h.unknownManagementMac(site).substring(h.hostname().length() + 2)));
            }
            return Finding.ready(h.hostname());
        }

        /**
         * The BMC's address: from the leases, stored only when it is new, so that a run over
         * hosts found before changes nothing; else the one known. Null when there is none.
         */
        private String discover(Host h) {
            Leases.Lease lease = leases.byMac().get(h.bmc().mac());
            String known = h.bmc().address();
            if (lease == null) return known;
            String address = Discoverer.address(lease.ip(), request.scheme(), request.port());
            if (h.state() == HostState.IMPORTED || !address.equals(known)) {
                new DiscoverService(store).discover(request.leases(), request.format(), List.of(h.hostname()),
                        request.scheme(), request.port());
            }
            return address;
        }

        private ScrapeService.HostResult scrape(Host h) {
            ScrapeService.Options options = new ScrapeService.Options(1, false, false, request.providers());
            // The scrape's own steps show as this host's; whether it is done is onboard's to say.
            Progress steps = (host, state, step, phase) -> {
                if (phase == Progress.Phase.WORKING) told.working(host, state, step);
            };
            return new ScrapeService(services, store).scrape(HostSelection.named(List.of(h.hostname())), options, steps)
                    .get(0);
        }
    }
}

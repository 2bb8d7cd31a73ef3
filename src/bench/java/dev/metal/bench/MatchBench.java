package dev.metal.bench;

import dev.metal.model.Bmc;
import dev.metal.model.Host;
import dev.metal.model.HostState;
import dev.metal.model.Inventory;
import dev.metal.model.Profile;
import dev.metal.model.Secret;
import dev.metal.profile.Inventories;
import dev.metal.profile.Matcher;
import dev.metal.profile.ProfileFiles;
import dev.metal.profile.Suggester;
import dev.metal.state.Stores;
import dev.metal.workflow.HostSelection;
import dev.metal.workflow.MatchService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Matching 10,000 inventoried hosts against 20 profiles, in-process: the matcher alone, and
 * 'metal match --all' as a whole (state file read, match, atomic write, journal).
 * Run with src/bench/match.sh.
 */
public final class MatchBench {
    public static void main(String[] args) throws Exception {
        int hosts = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        List<Profile> profiles = profiles();
        List<Inventory> inventories = inventories(hosts);
        System.out.printf("%d hosts, %d profiles%n", inventories.size(), profiles.size());

        Matcher matcher = new Matcher(profiles);
        double[] runs = new double[5];
        int[] outcome = new int[3];
        for (int r = 0; r < runs.length; r++) {
            Arrays.fill(outcome, 0);
            long t0 = System.nanoTime();
            for (Inventory inv : inventories) {
                Matcher.Outcome o = matcher.match(inv);
                outcome[o instanceof Matcher.Matched ? 0 : o instanceof Matcher.Missed ? 1 : 2]++;
            }
            runs[r] = (System.nanoTime() - t0) / 1e9;
        }
        System.out.printf("matcher: %d matched, %d failed, %d ambiguous%n", outcome[0], outcome[1], outcome[2]);
        System.out.printf("matcher: first run %.3f s, best of %d %.3f s (%.1f us per host)%n", runs[0], runs.length,
                Arrays.stream(runs).min().orElseThrow(), Arrays.stream(runs).min().orElseThrow() * 1e6 / hosts);

        Path dir = Files.createTempDirectory("metal-bench");
        Path state = dir.resolve("state.json");
        Stores.open(state.toString(), "bench", Clock.systemUTC()).update(tx -> {
            for (int i = 0; i < inventories.size(); i++) {
                Host h = Host.imported(String.format("node%05d", i), "r" + i / 40, 1 + i % 40,
                        new Bmc(Inventories.mac(0x01, i, i >> 8), null, "root", Secret.of("env:BMC_PW"), 623, null),
                        Inventories.mac(0x10, i, 1), null, List.of(), tx.now());
                h = h.moveTo(HostState.DISCOVERED, null, tx.now()).withInventory(inventories.get(i))
                        .moveTo(HostState.INVENTORIED, null, tx.now());
                tx.put(h, "bench");
            }
            return null;
        });
        System.out.printf("state file: %.1f MB%n", Files.size(state) / 1e6);
        long t0 = System.nanoTime();
        MatchService.Outcome all = new MatchService(Stores.open(state.toString(), "match", Clock.systemUTC()), profiles)
                .match(HostSelection.every());
        double whole = (System.nanoTime() - t0) / 1e9;
        System.out.printf("match --all (load state, match, write state and journal): %.3f s, %d failed%n",
                whole, all.failed());
        for (Path p : List.of(state, dir.resolve("state.json.journal"), dir.resolve("state.json.lock"))) {
            Files.deleteIfExists(p);
        }
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) Files.delete(p);
        }
        Files.delete(dir);
    }

    /** The 5 sample profiles and 15 more, suggested from variants of the same server types. */
    static List<Profile> profiles() {
        List<Profile> profiles = new ArrayList<>(ProfileFiles.loadFolder(Path.of("samples/profiles")).stream()
                .map(ProfileFiles.Loaded::profile).toList());
        String[] epyc = {"AMD EPYC 7313 16-Core Processor", "AMD EPYC 7413 24-Core Processor",
            "AMD EPYC 7643 48-Core Processor", "AMD EPYC 7713 64-Core Processor", "AMD EPYC 7763 64-Core Processor",
            "AMD EPYC 7443 24-Core Processor", "AMD EPYC 75F3 32-Core Processor", "AMD EPYC 7H12 64-Core Processor"};
        String[] xeon = {"Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz", "Intel(R) Xeon(R) Gold 6230R CPU @ 2.10GHz",
            "Intel(R) Xeon(R) Gold 5220R CPU @ 2.20GHz", "Intel(R) Xeon(R) Gold 6252 CPU @ 2.10GHz",
            "Intel(R) Xeon(R) Silver 4214R CPU @ 2.40GHz", "Intel(R) Xeon(R) Platinum 8280 CPU @ 2.70GHz",
            "Intel(R) Xeon(R) Gold 6240R CPU @ 2.40GHz"};
        for (String m : epyc) {
            Inventory v = Inventories.cpuModel(Inventories.dellR6525(0), m);
            profiles.add(roundTrip(Suggester.suggest(v, "r6525-" + m.split(" ")[2].toLowerCase(), null)));
        }
        for (String m : xeon) {
            Inventory v = Inventories.cpuModel(Inventories.supermicro(0), m);
            profiles.add(roundTrip(Suggester.suggest(v, "smc-" + m.split(" ")[3].toLowerCase(), null)));
        }
        return profiles;
    }

    private static Profile roundTrip(Profile p) {
        return ProfileFiles.parse(ProfileFiles.write(p, List.of()), p.name(), null);
    }

    /** Half Dell, half Supermicro; one in ten with a fault (DIMM, NIC slot, drive, CPU). */
    static List<Inventory> inventories(int count) {
        List<Inventory> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            boolean dell = i % 2 == 0;
            Inventory inv = dell ? Inventories.dellR6525(i) : Inventories.supermicro(i);
            if (i % 10 == 3) {
                inv = switch (i / 10 % 4) {
                    case 0 -> Inventories.dimmRemoved(inv, dell ? "DIMM.Socket.B2" : "P1-DIMMA1");
                    case 1 -> dell ? Inventories.nicMoved(inv, "2", "4") : Inventories.driveMissing(inv, "3");
                    case 2 -> Inventories.driveMissing(inv, "1");
                    default -> Inventories.cpuModel(inv, "AMD EPYC 9654 96-Core Processor");
                };
            }
            list.add(inv);
        }
        return list;
    }
}

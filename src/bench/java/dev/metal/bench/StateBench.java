package dev.metal.bench;

import dev.metal.cli.Cli;
import dev.metal.cli.Context;
import dev.metal.model.Bmc;
import dev.metal.model.Host;
import dev.metal.model.HostState;
import dev.metal.model.ProfileMatch;
import dev.metal.model.Provisioning;
import dev.metal.model.Secret;
import dev.metal.profile.Inventories;
import dev.metal.state.HostQuery;
import dev.metal.state.JsonFileStore;
import dev.metal.state.Store;
import dev.metal.state.Stores;
import dev.metal.testing.PostgresServer;
import dev.metal.workflow.Services;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Per-host work against the size of the fleet, on each engine: a state of 10,000
 * inventoried hosts against one of 20, in the same run, for 'host show', a quarantine plus
 * release, and the state work of one provision step (claim a host, then mark it active;
 * {@link #READY} ready hosts to claim from in both states);
 * also 'host list --json' and a 10,000-row 'metal import' into an empty state, and each
 * engine's size. Commands run in-process through the real command line (JVM start left
 * out: src/bench/import.sh and startup.sh measure that); each figure is the median of
 * several runs after warm-up. Targets from issue 16: ratio 10,000/20 at most 1.3,
 * 'host list --json' at 10,000 under 1 s, the import at most 1.5 s.
 * Run with src/bench/state.sh.
 */
public final class StateBench {
    static final int RUNS = 7;
    /**
     * Matched, ready hosts of the profile the provision step claims from, in both states: the
     * rest are inventoried only. A claim reads every host of its profile (placement spreads
     * them over racks), so the candidates are held equal to measure what the fleet's size costs.
     */
    static final int READY = 20;
    /** Runs of the engine being measured: fewer for the JSON file, whose changes take seconds at 10,000 hosts. */
    static int runs = RUNS;

    interface Engine {
        String name();

        /** A fresh, empty state's location. */
        String newState() throws Exception;

        /** Opens a state (the JSON engine has no Stores.open of its own any more). */
        Store open(String location);

        /** Bytes on disk (or in the database). */
        long size(String location) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int big = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        List<String> wanted = List.of((args.length > 1 ? args[1] : "json,sqlite,postgresql").split(","));
        int small = 20;
        Path dir = Files.createTempDirectory("metal-state-bench");
        PostgresServer pg = null;
        try {
            List<Engine> engines = new ArrayList<>();
            if (wanted.contains("json")) engines.add(json(dir));
            if (wanted.contains("sqlite")) engines.add(sqlite(dir));
            if (wanted.contains("postgresql")) {
                try {
                    pg = PostgresServer.start();
                    engines.add(postgres(pg));
                } catch (Throwable e) {
                    System.out.println("PostgreSQL left out: " + e.getMessage());
                }
            }
            Path csv = csv(dir.resolve("rack.csv"), big);
            System.out.printf("%d inventoried hosts against %d; median of %d runs; java %s%n%n", big, small, RUNS,
                    System.getProperty("java.version"));
            System.out.printf("%-10s %-34s %12s %12s %7s   %s%n", "engine", "operation", small + " hosts", big + " hosts",
                    "ratio", "target");
            for (Engine e : engines) run(e, big, small, csv);
        } finally {
            if (pg != null) pg.close();
            try (var files = Files.walk(dir)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    static void run(Engine e, int big, int small, Path csv) throws Exception {
        String bigState = e.newState();
        String smallState = e.newState();
        seed(e, bigState, big);
        seed(e, smallState, small);
        String probe = name(7);
        runs = e.name().equals("json") ? 3 : RUNS;
        double[] bare = times(() -> cli(e, smallState, "host", "show", "--help"));
        System.out.printf("%-10s %-34s %10.1f ms %12s %7s   %s%n", e.name(), "command line alone (show --help)",
                median(bare) * 1e3, "", "", "(in every figure below)");
        row(e, "host show", compare(e, smallState, bigState, s -> cli(e, s, "host", "show", probe)), "<= 1.3");
        row(e, "quarantine + release", compare(e, smallState, bigState, s -> {
            double a = cli(e, s, "host", "quarantine", probe, "--reason", "bench");
            return a + cli(e, s, "host", "release", probe, "--reason", "bench");
        }), "<= 1.3");
        int[] next = {0};
        row(e, "provision step (claim, active)", compare(e, smallState, bigState, s -> provisionStep(e, s, next)), "<= 1.3");
        double[] list = times(() -> cli(e, bigState, "--json", "host", "list"));
        System.out.printf("%-10s %-34s %12s %10.3f s %7s   %s%n", e.name(), "host list --json", "", median(list), "",
                "< 1 s at 10,000");
        Path launcher = Path.of("target/metal/bin/metal");
        if (Files.isExecutable(launcher)) {
            double[] own = times(() -> launch(launcher, bigState, "--json", "host", "list"));
            System.out.printf("%-10s %-34s %12s %10.3f s %7s   %s%n", e.name(), "host list --json, own JVM", "",
                    median(own), "", "as a user runs it");
        }
        double[] imports = new double[e.name().equals("json") ? 1 : 3];
        for (int i = 0; i < imports.length; i++) {
            String fresh = e.newState();
            imports[i] = cli(e, fresh, "import", csv.toString());
        }
        System.out.printf("%-10s %-34s %12s %10.3f s %7s   %s%n", e.name(), "import of " + big + " rows", "",
                median(imports), "", "<= 1.5 s");
        System.out.printf("%-10s %-34s %10.1f MB %10.1f MB%n%n", e.name(), "size", e.size(smallState) / 1e6,
                e.size(bigState) / 1e6);
    }

    interface Op {
        double time(String state) throws Exception;
    }

    /** Median seconds on the small state and on the big one. */
    static double[] compare(Engine e, String smallState, String bigState, Op op) throws Exception {
        op.time(smallState);
        op.time(bigState);
        double[] s = new double[runs];
        double[] b = new double[runs];
        for (int r = 0; r < runs; r++) {
            s[r] = op.time(smallState);
            b[r] = op.time(bigState);
        }
        return new double[] {median(s), median(b)};
    }

    static void row(Engine e, String what, double[] t, String target) {
        System.out.printf("%-10s %-34s %10.1f ms %10.1f ms %7.2f   %s%n", e.name(), what, t[0] * 1e3, t[1] * 1e3,
                t[1] / t[0], target);
    }

    interface Timed {
        double time() throws Exception;
    }

    static double[] times(Timed t) throws Exception {
        t.time();
        double[] out = new double[runs];
        for (int r = 0; r < runs; r++) out[r] = t.time();
        return out;
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v[v.length / 2];
    }

    /** One command through the real command line, in this process, output discarded; seconds. */
    static double cli(Engine e, String state, String... args) {
        PrintWriter nowhere = new PrintWriter(OutputStream.nullOutputStream());
        Context context = new Context(nowhere, new PrintWriter(System.err), Map.of("METAL_STATE", state), Path.of("/nonexistent"));
        Services services = Services.standard().withStores((location, command, clock) -> e.open(location));
        long t0 = System.nanoTime();
        int code = Cli.run(context, services, args);
        double s = (System.nanoTime() - t0) / 1e9;
        if (code != 0) throw new IllegalStateException(String.join(" ", args) + " exited " + code);
        return s;
    }

    /** The command through the launcher, in a JVM of its own, output discarded; seconds. */
    static double launch(Path launcher, String state, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(launcher.toString(), "--state", state));
        cmd.addAll(List.of(args));
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        int code = p.waitFor();
        double s = (System.nanoTime() - t0) / 1e9;
        if (code != 0) throw new IllegalStateException(String.join(" ", cmd) + " exited " + code);
        return s;
    }

    /** The state work of one provision step: claim one ready host of the profile, then mark it active and free it again. */
    static double provisionStep(Engine e, String state, int[] next) {
        long t0 = System.nanoTime();
        String request = "bench-" + next[0]++;
        try (Store s = e.open(state)) {
            String claimed = s.update(tx -> {
                List<Host> ready = tx.hosts(HostQuery.all().ofProfile("bench").skippingLocked());
                Host h = null;
                for (Host c : ready) {
                    if (c.state() == HostState.READY) {
                        h = c;
                        break;
                    }
                }
                tx.put(h.moveTo(HostState.PROVISIONING, "bench", tx.now()).withProvisioning(
                        new Provisioning(request, "debian-12", Secret.randomToken(), tx.now(), null, 1, null)), "provision-claimed");
                return h.hostname();
            });
            s.update(tx -> {
                Host h = tx.host(claimed);
                tx.put(h.moveTo(HostState.ACTIVE, "bench", tx.now()).withProvisioning(h.provisioning().withToken(null)),
                        "provisioned");
                return null;
            });
            double took = (System.nanoTime() - t0) / 1e9;
            // Back to ready for the next run (not timed).
            s.update(tx -> {
                Host h = tx.host(claimed);
                tx.put(h.moveTo(HostState.QUARANTINED, "bench", tx.now()).moveTo(HostState.READY, "bench", tx.now()), "released");
                return null;
            });
            return took;
        }
    }

    static String name(int i) {
        return String.format("node%05d", i);
    }

    static void seed(Engine e, String state, int hosts) {
        try (Store s = e.open(state)) {
            s.update(tx -> {
                for (int i = 0; i < hosts; i++) {
                    Host h = Host.imported(name(i), "r" + i / 40, 1 + i % 40,
                            new Bmc(Inventories.mac(0x01, i, i >> 8), "10.0.0.1", "root", Secret.of("env:BMC_PW"), 623, null),
                            Inventories.mac(0x10, i, 1), "SN" + i, List.of(), tx.now());
                    Map<String, ProfileMatch.NamedNic> nics = new LinkedHashMap<>();
                    nics.put("ext0", new ProfileMatch.NamedNic("ext0", Inventories.mac(0x20, i, 1), "PCIe 1", "1", 25000));
                    h = h.moveTo(HostState.DISCOVERED, null, tx.now()).withInventory(Inventories.dellR6525(i))
                            .moveTo(HostState.INVENTORIED, null, tx.now());
                    if (i < READY) {
                        h = h.withMatch(new ProfileMatch("bench", nics, Map.of(), null, "bench"))
                                .withAddresses(Map.of("rack", "r" + i / 40))
                                .moveTo(HostState.READY, null, tx.now());
                    }
                    tx.put(h, "seeded");
                }
                return null;
            });
        }
    }

    public static Path csv(Path file, int rows) throws Exception {
        StringBuilder b = new StringBuilder("hostname,rack,u,bmc_mac,bmc_address,bmc_user,bmc_password,mgmt_mac,serial,tags\n");
        for (int i = 0; i < rows; i++) {
            b.append(String.format("node%05d,rack%03d,%d,02:00:00:%02x:%02x:01,10.%d.%d.%d,admin,env:BMC_PW,"
                            + "02:00:00:%02x:%02x:02,SN%07d,batch%d%n", i, i / 40, 1 + i % 40, i / 256, i % 256,
                    10 + i / 65536, (i / 256) % 256, i % 256, i / 256, i % 256, i, i % 4));
        }
        Files.writeString(file, b);
        return file;
    }

    static Engine json(Path dir) {
        return new Engine() {
            int n;

            public String name() {
                return "json";
            }

            public String newState() {
                return dir.resolve("json" + ++n + ".json").toString();
            }

            public Store open(String location) {
                return new JsonFileStore(Path.of(location), "bench", Clock.systemUTC());
            }

            public long size(String location) throws Exception {
                return Files.size(Path.of(location)) + Files.size(Path.of(location + ".journal"));
            }
        };
    }

    static Engine sqlite(Path dir) {
        return new Engine() {
            int n;

            public String name() {
                return "sqlite";
            }

            public String newState() {
                return dir.resolve("sqlite" + ++n + ".db").toString();
            }

            public Store open(String location) {
                return Stores.open(location, "bench", Clock.systemUTC());
            }

            public long size(String location) throws Exception {
                long size = Files.size(Path.of(location));
                Path wal = Path.of(location + "-wal");
                return size + (Files.exists(wal) ? Files.size(wal) : 0);
            }
        };
    }

    static Engine postgres(PostgresServer pg) {
        return new Engine() {
            public String name() {
                return "postgresql";
            }

            public String newState() throws Exception {
                return pg.newDatabase();
            }

            public Store open(String location) {
                return Stores.open(location, "bench", Clock.systemUTC());
            }

            public long size(String location) throws Exception {
                String base = location.substring(0, location.indexOf('?'));
                String db = base.substring(base.lastIndexOf('/') + 1);
                try (Connection c = pg.connect(db); Statement s = c.createStatement();
                     ResultSet r = s.executeQuery("SELECT pg_database_size(current_database())")) {
                    r.next();
                    return r.getLong(1);
                }
            }
        };
    }
}

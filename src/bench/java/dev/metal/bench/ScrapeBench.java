package dev.metal.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.metal.lab.RedfishEmulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Scrape benchmarks, run on demand (src/bench/scrape.sh), printing figures:
 *   lenovo  - one lenovo-sr650-xcc with its recorded per-resource latencies: metal scrape vs python3-sushy
 *   fleet N        - N emulated BMCs, 250 ms per request, 2 concurrent requests each: one host alone vs
 *                    scrape --all with the default options, on JDK 17 and 25 (wall, ratio, threads, RSS, CPU)
 *   fleet-parallel N [P...] - the same fleet at 100 ms: scrape --all at --parallel P (default: N, then 32)
 *   serve-fleet N  - the same fleet, imported into a state file, served until killed (for profiling by hand)
 */
public final class ScrapeBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ScrapeBench() {}

    public static void main(String[] args) throws Exception {
        Path project = Path.of(System.getProperty("metal.basedir", ".")).toAbsolutePath();
        Path mockups = project.resolve("../shared/redfish-mockups").normalize();
        Path metal = project.resolve("target/metal/bin/metal");
        String which = args.length > 0 ? args[0] : "lenovo";
        if (which.equals("serve")) {
            // For trying clients by hand: serve a mockup (with its recorded latencies, if any) until killed.
            Path folder = mockups.resolve(args[1]);
            RedfishEmulator emu = RedfishEmulator.builder().mockup(folder).recordedLatency(folder).build();
            System.out.println(emu.address());
            Thread.sleep(Long.MAX_VALUE);
        }
        if (which.equals("serve-fleet")) {
            // For profiling by hand: the fleet, imported into a state file, until killed.
            Fleet f = startFleet(mockups, metal, Integer.parseInt(args[1]));
            System.out.println("serving " + f.bmcs().size() + " BMCs; state file " + f.state());
            Thread.sleep(Long.MAX_VALUE);
        }
        if (which.equals("lenovo")) lenovo(project, mockups, metal);
        else if (which.equals("fleet")) fleetVsOne(project, mockups, metal, args.length > 1 ? Integer.parseInt(args[1]) : 500);
        else if (which.equals("fleet-parallel")) fleet(mockups, metal, args.length > 1 ? Integer.parseInt(args[1]) : 500,
                args.length > 2 ? List.of(args).subList(2, args.length) : null);
        System.exit(0);
    }

    static void lenovo(Path project, Path mockups, Path metal) throws Exception {
        Path folder = mockups.resolve("lenovo-sr650-xcc");
        try (RedfishEmulator emu = RedfishEmulator.builder().mockup(folder).recordedLatency(folder).build()) {
            Path dir = Files.createTempDirectory("metal-bench");
            Path state = dir.resolve("state.json");
            csv(dir, List.of(emu.address()));
            run(dir, metal.toString(), "--state", state.toString(), "import", dir.resolve("rack.csv").toString());
            List<String> rows = new ArrayList<>();
            double metalDefault = 0;
            long metalRequests = 0;
            Map<String, Long> times = RedfishEmulator.readTimes(folder);
            double floor = 0;
            for (String inFlight : new String[] {"2", "4", "8"}) {
                emu.resetCounters();
                emu.recordRequests();
                long t0 = System.nanoTime();
                String out = run(dir, metal.toString(), "--state", state.toString(), "--json", "scrape", "h0",
                        "--bmc-concurrency", inFlight);
                double sec = (System.nanoTime() - t0) / 1e9;
                JsonNode host = JSON.readTree(out).path("hosts").get(0);
                if (inFlight.equals("2")) {
                    metalDefault = sec;
                    metalRequests = emu.requests();
                    // No order beats the BMC's own time for what must be read, shared by the requests in flight.
                    long ms = 0;
                    for (String r : emu.recordedRequests()) {
                        String path = r.substring(r.indexOf(' ') + 1).replaceAll("\\?.*", "").toLowerCase();
                        while (path.endsWith("/")) path = path.substring(0, path.length() - 1);
                        ms += times.getOrDefault(path, 0L);
                    }
                    floor = ms / 1000.0 / 2;
                }
                rows.add(String.format("  %-36s %8d %10d %9.2f   (cpus %s, dimms %s, drives %s, nics %s; depth %s)",
                        "metal scrape, " + inFlight + " in flight" + (inFlight.equals("2") ? " (default)" : ""),
                        emu.requests(), emu.bytes(), sec, host.path("cpus").asText(), host.path("dimms").asText(),
                        host.path("drives").asText(), host.path("nics").asText(), host.path("depth").asText()));
                rows.add(String.format("  %-36s %8s %10s %9s   max in flight seen by the BMC: %d", "", "", "", "",
                        emu.maxConcurrentSeen()));
            }
            long t0;

            emu.resetCounters();
            t0 = System.nanoTime();
            String sushy = run(dir, "/usr/bin/python3", project.resolve("src/bench/sushy_walk.py").toString(),
                    emu.address(), "admin", "password");
            double sushySec = (System.nanoTime() - t0) / 1e9;
            long sushyRequests = emu.requests();
            long sushyBytes = emu.bytes();

            System.out.println("lenovo-sr650-xcc with recorded latencies (time.json), one full inventory:");
            System.out.printf("  %-36s %8s %10s %9s%n", "", "requests", "bytes", "wall s");
            rows.forEach(System.out::println);
            System.out.printf("  %-36s %8d %10d %9.2f   %s%n", "python3-sushy walk", sushyRequests, sushyBytes,
                    sushySec, sushy.strip());
            System.out.printf("  speed-up at the default: %.1fx; requests %d vs %d%n", sushySec / metalDefault, metalRequests,
                    sushyRequests);
            System.out.printf("  floor at 2 in flight: %.2f s (the recorded latencies of the %d requests, halved);"
                    + " metal at %.2fx of it%n", floor, metalRequests, metalDefault / floor);
        }
    }

    /** N emulated BMCs serving one tree, imported into a fresh state file. */
    record Fleet(List<RedfishEmulator> bmcs, ExecutorService executor, Path dir, Path state) implements AutoCloseable {
        @Override
        public void close() {
            bmcs.forEach(RedfishEmulator::close);
            executor.shutdownNow();
        }
    }

    static Fleet startFleet(Path mockups, Path metal, int n) throws Exception {
        return startFleet(mockups, metal, n, 100);
    }

    static Fleet startFleet(Path mockups, Path metal, int n, long latencyMs) throws Exception {
        // One tree shared by every BMC: generated-hardware stand-in with $expand in the service root.
        Map<String, ObjectNode> tree = RedfishEmulator.readMockup(mockups.resolve("dmtf-public-localstorage"));
        ExecutorService shared = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "bmc");
            t.setDaemon(true);
            return t;
        });
        List<RedfishEmulator> bmcs = new ArrayList<>();
        RedfishEmulator.SharedAnswers answers = new RedfishEmulator.SharedAnswers();
        for (int i = 0; i < n; i++) {
            bmcs.add(RedfishEmulator.builder().resources(tree).latencyMs(latencyMs)
                    .maxConcurrent(2, RedfishEmulator.Overload.WAIT).maxSessions(4).executor(shared).shareAnswers(answers).build());
        }
        Path dir = Files.createTempDirectory("metal-bench");
        Path state = dir.resolve("state.json");
        csv(dir, bmcs.stream().map(RedfishEmulator::address).toList());
        run(dir, metal.toString(), "--state", state.toString(), "import", dir.resolve("rack.csv").toString());
        return new Fleet(bmcs, shared, dir, state);
    }

    /** Runs scrape --all at each --parallel given (default: N, then 32). */
    static void fleet(Path mockups, Path metal, int n, List<String> parallels) throws Exception {
        try (Fleet f = startFleet(mockups, metal, n)) {
            List<RedfishEmulator> fleet = f.bmcs();
            Path dir = f.dir();
            Path state = f.state();
            // One untimed scrape first: the emulators' JIT then no longer competes with the measured runs.
            run(dir, metal.toString(), "--state", state.toString(), "--json", "scrape", "--all", "--parallel",
                    String.valueOf(n));
            for (String parallel : parallels != null ? parallels : List.of(String.valueOf(n), "32")) {
                fleet.forEach(RedfishEmulator::resetCounters);
                fleet.forEach(RedfishEmulator::recordRequests);
                double[] cpu0 = cpu();
                long t0 = System.nanoTime();
                String out = run(dir, metal.toString(), "--state", state.toString(), "--json", "scrape", "--all",
                        "--parallel", parallel);
                double sec = (System.nanoTime() - t0) / 1e9;
                double[] cpu1 = cpu();
                JsonNode res = JSON.readTree(out);
                int depth = 0;
                long maxRequests = 0;
                for (JsonNode h : res.path("hosts")) {
                    depth = Math.max(depth, h.path("depth").asInt());
                    maxRequests = Math.max(maxRequests, h.path("requests").asLong());
                }
                long requests = RedfishEmulator.sum(fleet, RedfishEmulator::requests);
                int maxSeen = fleet.stream().mapToInt(RedfishEmulator::maxConcurrentSeen).max().orElse(0);
                // Session login and logout are one round each on top of the walk.
                double bound = (depth + 2) * 0.1;
                System.out.printf("fleet of %d BMCs (100 ms/request, 2 concurrent each), scrape --all --parallel %s:%n",
                        n, parallel);
                System.out.printf("  ok %s, failed %s; %d requests, %d bytes (max %d requests per BMC, max %d in flight"
                        + " on one BMC)%n", res.path("ok").asText(), res.path("failed").asText(), requests,
                        RedfishEmulator.sum(fleet, RedfishEmulator::bytes), maxRequests, maxSeen);
                System.out.printf("  wall %.2f s (in-process %.2f s); lower bound %.1f s = (walk depth %d + login"
                        + " + logout) x 100 ms; ratio %.1fx%n", sec, res.path("millis").asLong() / 1000.0, bound, depth,
                        sec / bound);
                // With fewer hosts in flight than BMCs, they go in waves.
                int p = Integer.parseInt(parallel);
                if (p < n) {
                    double waves = Math.ceil((double) n / p) * bound;
                    System.out.printf("  bound at --parallel %d: %d waves x %.1f s = %.1f s; ratio %.1fx%n", p,
                            (n + p - 1) / p, bound, waves, sec / waves);
                }
                // Read twice: the same request again (a retry), or alone and inside an expanded answer.
                Map<String, Integer> twice = new java.util.TreeMap<>();
                for (RedfishEmulator e : fleet) {
                    List<String> log = e.recordedRequests();
                    List<String> expanded = log.stream().filter(r -> r.contains("$expand"))
                            .map(r -> r.replaceAll("\\?.*", "").toLowerCase() + "/").toList();
                    java.util.Set<String> seen = new java.util.HashSet<>();
                    for (String r : log) {
                        String path = r.replaceAll("\\?.*", "").toLowerCase();
                        if (!seen.add(r) || expanded.stream().anyMatch(path::startsWith)) {
                            twice.merge(path.replaceAll("/[^/]+$", "/*"), 1, Integer::sum);
                        }
                    }
                }
                System.out.printf("  read twice (again, or alone and expanded): %d %s%n",
                        twice.values().stream().mapToInt(Integer::intValue).sum(), twice.isEmpty() ? "" : twice);
                System.out.printf("  cpu: metal %.2f s (%.2f s of it in the kernel), emulated fleet %.2f s (both on the"
                        + " same cores)%n", cpu1[1] - cpu0[1], cpu1[2] - cpu0[2], cpu1[0] - cpu0[0]);
            }
        }
    }

    /**
     * The measure: N BMCs answering each request in 250 ms, 2 requests at a time each; one host
     * scraped alone, then the whole fleet with the default options (scrape --all), in the same run, on
     * each JDK given in METAL_BENCH_JDKS (default: the one running this and any Temurin 25 in /usr/lib/jvm).
     * Prints wall times, their ratio, the metal process's peak threads and peak RSS, and CPU seconds of
     * metal and of the emulated fleet (both share this machine's cores).
     */
    static void fleetVsOne(Path project, Path mockups, Path metal, int n) throws Exception {
        long latency = Long.getLong("metal.bench.latencyMs", 250);
        List<String> jdks = new ArrayList<>();
        String given = System.getenv("METAL_BENCH_JDKS");
        if (given != null && !given.isBlank()) {
            jdks.addAll(List.of(given.trim().split("[ :,]+")));
        } else {
            jdks.add(Path.of(System.getProperty("java.home")).toString());
            try (var s = Files.list(Path.of("/usr/lib/jvm"))) {
                s.filter(p -> p.getFileName().toString().startsWith("temurin-25")).sorted().findFirst()
                        .ifPresent(p -> jdks.add(p.toString()));
            }
        }
        System.out.printf("fleet of %d emulated BMCs, %d ms per request, 2 requests at a time each; %d cores%n", n,
                latency, Runtime.getRuntime().availableProcessors());
        try (Fleet f = startFleet(mockups, metal, n, latency)) {
            for (String jdk : jdks) {
                // Untimed: the launcher's class cache for this JDK, and the emulators' JIT.
                timed(f, metal, jdk, "scrape", "--all");
                awaitNoCacheTraining(metal);
                Run one = timed(f, metal, jdk, "scrape", "h0");
                Run all = timed(f, metal, jdk, "scrape", "--all");
                JsonNode res = JSON.readTree(all.out);
                System.out.printf("%s:%n", jdk);
                System.out.printf("  one host alone:   wall %6.2f s  peak threads %5d  peak RSS %5d MiB  cpu metal %5.2f s%n",
                        one.wall, one.threads, one.rssKib / 1024, one.cpuMetal);
                System.out.printf("  whole fleet:      wall %6.2f s  peak threads %5d  peak RSS %5d MiB  cpu metal %5.2f s,"
                        + " emulators %5.2f s  (ok %s, failed %s)%n", all.wall, all.threads, all.rssKib / 1024,
                        all.cpuMetal, all.cpuEmulators, res.path("ok").asText(), res.path("failed").asText());
                System.out.printf("  ratio fleet / one host: %.2f (target 1.5)%n", all.wall / one.wall);
            }
        }
    }

    record Run(String out, double wall, int threads, long rssKib, double cpuMetal, double cpuEmulators) {}

    private static Run timed(Fleet f, Path metal, String jdk, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(metal.toString(), "--state", f.state().toString(), "--json"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(f.dir().toFile()).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("JAVA_HOME", jdk);
        String opts = System.getenv("METAL_BENCH_JAVA_OPTS");
        if (opts != null) pb.environment().put("JAVA_TOOL_OPTIONS", opts);
        double[] cpu0 = cpu();
        long t0 = System.nanoTime();
        Process p = pb.start();
        // The launcher execs java: the same process, whose threads and memory are polled while it runs.
        int[] threads = {0};
        long[] rss = {0};
        Thread poll = new Thread(() -> {
            Path status = Path.of("/proc", String.valueOf(p.pid()), "status");
            while (p.isAlive()) {
                try {
                    for (String line : Files.readAllLines(status)) {
                        if (line.startsWith("Threads:")) threads[0] = Math.max(threads[0], Integer.parseInt(line.substring(8).trim()));
                        if (line.startsWith("VmHWM:")) rss[0] = Math.max(rss[0], Long.parseLong(line.replaceAll("\\D", "")));
                    }
                    Thread.sleep(20);
                } catch (Exception e) {
                    return;
                }
            }
        });
        poll.setDaemon(true);
        poll.start();
        String out = new String(p.getInputStream().readAllBytes());
        int code = p.waitFor();
        double wall = (System.nanoTime() - t0) / 1e9;
        poll.join();
        double[] cpu1 = cpu();
        if (code != 0 && code != 3) throw new IllegalStateException(String.join(" ", cmd) + " exited " + code + ": " + out);
        return new Run(out, wall, threads[0], rss[0], cpu1[1] - cpu0[1], cpu1[0] - cpu0[0]);
    }

    /** The launcher trains its class cache for a new JDK in the background: wait until that is done. */
    private static void awaitNoCacheTraining(Path metal) throws Exception {
        Path cache = metal.getParent().getParent().resolve("cache");
        for (int i = 0; i < 600; i++) {
            try (var s = Files.list(cache)) {
                if (s.noneMatch(p -> p.toString().endsWith(".lock"))) return;
            } catch (IOException e) {
                return;
            }
            Thread.sleep(100);
        }
    }

    private static void csv(Path dir, List<String> addresses) throws IOException {
        StringBuilder b = new StringBuilder("hostname,rack,u,bmc_mac,bmc_address,bmc_user,bmc_password,mgmt_mac\n");
        for (int i = 0; i < addresses.size(); i++) {
            b.append(String.format("h%d,r%d,%d,02:00:00:00:%02x:%02x,%s,admin,password,02:00:00:01:%02x:%02x%n", i,
                    i / 40, i % 40 + 1, i / 256, i % 256, addresses.get(i), i / 256, i % 256));
        }
        Files.writeString(dir.resolve("rack.csv"), b.toString());
    }

    /**
     * CPU seconds of this process (the emulators) and of the children it waited for (metal), from
     * /proc/self/stat: utime+stime and cutime+cstime, in clock ticks of 1/100 s.
     */
    private static double[] cpu() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // Fields after the name, counted from 3 (state): utime is 14, stime 15, cutime 16, cstime 17.
        double self = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
        double children = (Long.parseLong(f[13]) + Long.parseLong(f[14])) / 100.0;
        return new double[] {self, children, Long.parseLong(f[14]) / 100.0};
    }

    private static String run(Path dir, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT);
        // For profiling metal itself, e.g. METAL_BENCH_JAVA_OPTS=-XX:StartFlightRecording=filename=/tmp/m.jfr
        String opts = System.getenv("METAL_BENCH_JAVA_OPTS");
        if (opts != null && cmd[0].endsWith("metal")) pb.environment().put("JAVA_TOOL_OPTIONS", opts);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        int code = p.waitFor();
        if (code != 0 && code != 3) throw new IllegalStateException(String.join(" ", cmd) + " exited " + code + ": " + out);
        return out;
    }
}

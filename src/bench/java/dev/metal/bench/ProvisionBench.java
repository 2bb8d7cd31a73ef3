package dev.metal.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.metal.cli.Cli;
import dev.metal.cli.Context;
import dev.metal.lab.DirectBmcs;
import dev.metal.provision.Fleet;
import dev.metal.util.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Provisioning figures with lab machines behind in-process BMCs (real HTTP boot server,
 * real state file):
 *   cold         one host in this fresh JVM: process start -> PXE and power commands at the BMC
 *   warm N       N single-host provisions in one JVM: command start -> commands at the BMC
 *   fleet N MS   N hosts at once, each installing for MS ms: wall time and per-host times
 */
public final class ProvisionBench {
    public static void main(String[] args) throws Exception {
        Instant jvmStart = ProcessHandle.current().info().startInstant().orElseThrow();
        String mode = args.length > 0 ? args[0] : "fleet";
        switch (mode) {
            case "cold" -> cold(jvmStart);
            case "warm" -> warm(Integer.parseInt(args[1]));
            case "fleet" -> fleet(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            default -> throw new IllegalArgumentException("cold | warm N | fleet N MS");
        }
        System.exit(0);
    }

    private static Fleet lab(int hosts, int installMs) throws Exception {
        Path dir = Files.createTempDirectory("metal-bench");
        Fleet fleet = new Fleet(dir);
        fleet.installTime = Duration.ofMillis(installMs);
        for (int i = 1; i <= hosts; i++) {
            fleet.host(String.format("node-%03d", i), "r" + (i % 5 + 1), i / 5 + 1, "web", i);
        }
        return fleet;
    }

    private static JsonNode provision(Fleet fleet, int count) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Context ctx = new Context(new PrintWriter(out), new PrintWriter(err), Map.of("METAL_STATE", fleet.state.toString()),
                fleet.dir);
        int code = Cli.run(ctx, fleet.services(), fleet.args("--json", "provision", "--profile", "web", "--count", Integer.toString(count),
                "--os", "debian-12", "--timeout", "60s"));
        if (code != 0) throw new IllegalStateException("provision exit " + code + ": " + err);
        return Json.mapper().readTree(out.toString());
    }

    private static void cold(Instant jvmStart) throws Exception {
        long mainNanos = System.nanoTime();
        Instant mainStart = Instant.now();
        Fleet fleet = lab(1, 50);
        long setupNanos = System.nanoTime();
        JsonNode slot = provision(fleet, 1).get("slots").get(0);
        long jvmToMain = Duration.between(jvmStart, mainStart).toMillis();
        DirectBmcs.Arrival boot = fleet.bmcs.arrivals().get(0);
        DirectBmcs.Arrival power = fleet.bmcs.arrivals().get(1);
        System.out.printf("cold: JVM start -> main %d ms; command start -> boot-device at BMC %d ms, power %d ms; "
                        + "JVM start -> power at BMC %d ms (workflow's own stamps: boot %d ms, power %d ms)%n",
                jvmToMain, ms(boot.nanoTime() - setupNanos),
                ms(power.nanoTime() - setupNanos), jvmToMain + ms(power.nanoTime() - mainNanos),
                slot.get("bootCommandMs").asLong(), slot.get("powerCommandMs").asLong());
    }

    private static void warm(int runs) throws Exception {
        Fleet fleet = lab(runs, 20);
        List<Long> boot = new ArrayList<>();
        List<Long> power = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            JsonNode slot = provision(fleet, 1).get("slots").get(0);
            boot.add(slot.get("bootCommandMs").asLong());
            power.add(slot.get("powerCommandMs").asLong());
        }
        System.out.printf("warm (%d runs, one JVM): command start -> boot-device at BMC p50 %d ms max %d ms; "
                + "-> power at BMC p50 %d ms max %d ms%n", runs, p(boot, 50), Collections.max(boot), p(power, 50),
                Collections.max(power));
    }

    private static void fleet(int hosts, int installMs) throws Exception {
        Fleet fleet = lab(hosts, installMs);
        long t0 = System.nanoTime();
        JsonNode report = provision(fleet, hosts);
        long wall = ms(System.nanoTime() - t0);
        List<Long> power = new ArrayList<>();
        List<Long> active = new ArrayList<>();
        for (JsonNode s : report.get("slots")) {
            if (!s.get("status").asText().equals("active")) throw new IllegalStateException("not active: " + s);
            power.add(s.get("powerCommandMs").asLong());
            active.add(s.get("activeMs").asLong());
        }
        System.out.printf("fleet: %d hosts (install %d ms each) provisioned in %d ms wall; power at BMC p50 %d ms "
                        + "max %d ms; active p50 %d ms p99 %d ms%n", hosts, installMs, wall, p(power, 50),
                Collections.max(power), p(active, 50), p(active, 99));
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    private static long p(List<Long> values, int pct) {
        List<Long> v = new ArrayList<>(values);
        Collections.sort(v);
        return v.get(Math.min(v.size() - 1, (int) Math.ceil(pct / 100.0 * v.size()) - 1));
    }
}

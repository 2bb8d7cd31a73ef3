package dev.metal.bench;

import dev.metal.boot.LoadClients;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;

/**
 * Load on a running boot server: SLOW clients that send one byte and go silent, IDLE ones that
 * connect and send nothing, then NORMAL requests from PARALLEL clients, each on a new
 * connection. Prints the normal requests' times and how many failed or took over 2 s.
 * Run by src/bench/boot-load.sh; usage: BootLoad HOST PORT SLOW IDLE NORMAL PARALLEL PATH...
 */
public final class BootLoad {
    public static void main(String[] args) throws Exception {
        InetSocketAddress server = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        int slow = Integer.parseInt(args[2]);
        int idle = Integer.parseInt(args[3]);
        int normal = Integer.parseInt(args[4]);
        int parallel = Integer.parseInt(args[5]);
        List<String> paths = Arrays.asList(args).subList(6, args.length);
        try (LoadClients load = new LoadClients(server)) {
            long t0 = System.nanoTime();
            load.slow(slow);
            load.idle(idle);
            long opened = (System.nanoTime() - t0) / 1_000_000;
            long t1 = System.nanoTime();
            List<LoadClients.Outcome> out = load.normal(normal, parallel, paths);
            long wall = (System.nanoTime() - t1) / 1_000_000;
            long failed = out.stream().filter(o -> o.status() != 200 || o.error() != null).count();
            long over = out.stream().filter(o -> o.millis() > 2_000).count();
            long bytes = out.stream().mapToLong(LoadClients.Outcome::bytes).sum();
            System.out.printf("held open: %d slow + %d idle connections (opened in %d ms)%n", slow, idle, opened);
            System.out.printf("normal: %d requests from %d clients in %d ms (%.0f req/s, %.1f MB)%n", normal, parallel,
                    wall, normal * 1000.0 / Math.max(1, wall), bytes / 1e6);
            System.out.printf("normal latency ms: p50 %d  p90 %d  p99 %d  max %d%n", LoadClients.percentile(out, 0.5),
                    LoadClients.percentile(out, 0.9), LoadClients.percentile(out, 0.99), LoadClients.percentile(out, 1.0));
            System.out.printf("failed: %d   over 2 s: %d   slow/idle closed by the server so far: %d%n", failed, over,
                    load.closedByServer());
            if (failed > 0 || over > 0) {
                out.stream().filter(o -> o.status() != 200 || o.error() != null).limit(5)
                        .forEach(o -> System.out.println("  " + o));
                System.exit(1);
            }
        }
    }
}

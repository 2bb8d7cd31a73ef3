package dev.metal.provision;

import dev.metal.cli.Cli;
import dev.metal.cli.Context;
import dev.metal.lab.DirectBmcs;
import dev.metal.lab.Machine;
import dev.metal.model.Host;
import dev.metal.state.HostQuery;
import dev.metal.state.Store;
import dev.metal.state.Stores;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A metal process of its own for the tests that need two: the real CLI, with lab machines
 * behind in-process BMCs for every host in the state file.
 * Arguments: STATE PORT FAULT(none|no-phone-home) METAL-ARGS...
 */
public final class ProvisionProcess {
    private ProvisionProcess() {}

    public static void main(String[] args) {
        String state = args[0];
        URI server = URI.create("http://127.0.0.1:" + args[1]);
        Set<Machine.Fault> faults = args[2].equals("no-phone-home")
                ? EnumSet.of(Machine.Fault.NO_PHONE_HOME) : EnumSet.noneOf(Machine.Fault.class);
        DirectBmcs bmcs = new DirectBmcs();
        try (Store store = Stores.open(state, "test", Clock.systemUTC())) {
            for (Host h : store.hosts(HostQuery.all())) {
                bmcs.add(h.hostname(), new Machine(h.mgmtMac(), server, faults, Duration.ofMillis(200)));
            }
        }
        String[] metal = Arrays.copyOfRange(args, 3, args.length);
        System.exit(Cli.run(Context.system(), Fleet.services(bmcs), metal));
    }

    /** Starts one with the test JVM's class path. */
    static Process start(String state, int port, String fault, Path log, String... metalArgs) throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(javaBin, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), ProvisionProcess.class.getName(),
                state, Integer.toString(port), fault));
        cmd.addAll(Arrays.asList(metalArgs));
        return new ProcessBuilder(cmd).redirectErrorStream(false)
                .redirectOutput(log.toFile()).redirectError(log.resolveSibling(log.getFileName() + ".err").toFile())
                .start();
    }
}

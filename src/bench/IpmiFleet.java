import dev.metal.lab.IpmiSimProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts N simulated BMCs (ipmi_sim) for the power benchmark, writes a rack CSV for them
 * to DIR/rack.csv and DIR/ports, then keeps them up until its stdin closes.
 * Run: java -cp 'target/classes:target/test-classes:target/metal/lib/*' src/bench/IpmiFleet.java DIR N
 */
public class IpmiFleet {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        List<IpmiSimProcess> sims = new ArrayList<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> sims.forEach(IpmiSimProcess::close)));
        StringBuilder csv = new StringBuilder("hostname,rack,u,bmc_mac,bmc_address,bmc_user,bmc_password,ipmi_port,mgmt_mac\n");
        StringBuilder ports = new StringBuilder();
        for (int i = 0; i < count; i++) {
            IpmiSimProcess sim = IpmiSimProcess.start(dir.resolve("bmc" + i), 0, "admin", "secret");
            sims.add(sim);
            sim.setPower(i % 2 == 0);
            csv.append(String.format("b%02d,r%d,%d,0c:c4:7a:00:01:%02x,127.0.0.1,admin,secret,%d,0c:c4:7a:01:01:%02x%n",
                    i, i / 40, i % 40 + 1, i, sim.port(), i));
            ports.append(sim.port()).append('\n');
        }
        Files.writeString(dir.resolve("rack.csv"), csv);
        Files.writeString(dir.resolve("ports"), ports);
        Files.writeString(dir.resolve("ready"), "");
        System.in.read();
        sims.forEach(IpmiSimProcess::close);
    }
}

package dev.metal.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.metal.lab.LabHardware;
import dev.metal.lab.RedfishEmulator;
import dev.metal.lab.ServerModel;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The training run of the build: runs common commands once in one JVM, so that the class
 * archive the launcher uses (AppCDS / AOT cache) holds the classes they load. Not a
 * command users see.
 */
public final class Warmup {
    private Warmup() {}

    public static void main(String[] args) throws IOException {
        Path dir = Files.createTempDirectory("metal-warmup");
        try {
            Path csv = dir.resolve("rack.csv");
            StringBuilder rows = new StringBuilder(
                    "hostname,rack,u,bmc_mac,bmc_address,bmc_user,bmc_password,ipmi_port,mgmt_mac,serial,tags\n");
            for (int i = 0; i < 20; i++) {
                rows.append(String.format("w%02d,r1,%d,02:00:00:00:00:%02x,10.0.0.%d,admin,env:PW,623,"
                        + "02:00:00:00:01:%02x,S%d,a;b%n", i, i + 1, i, i + 1, i, i));
            }
            Files.writeString(csv, rows);
            String state = dir.resolve("state.json").toString();
            run("--version");
            run("--help");
            run("--state", state, "import", "--dry-run", csv.toString());
            run("--state", state, "import", csv.toString());
            run("--state", state, "host", "list");
            run("--state", state, "host", "list", "--json");
            run("--state", state, "host", "show", "w01");
            run("--state", state, "host", "history", "w01", "--json");
            run("--state", state, "host", "show", "nope");
            scrape(dir);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> {
                    try {
                        Files.delete(p);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
        }
    }

    /** A scrape of one emulated BMC, so that OkHttp, Kotlin, the walk and the mapper come from the archive. */
    private static void scrape(Path dir) throws IOException {
        try (RedfishEmulator emu = RedfishEmulator.builder()
                .resources(LabHardware.tree(ServerModel.ALL.get(0), 1, Set.of())).build()) {
            Path csv = dir.resolve("bmc.csv");
            Files.writeString(csv, "hostname,rack,u,bmc_mac,bmc_address,bmc_user,bmc_password,mgmt_mac\n"
                    + "s01,r1,1," + LabHardware.bmcMac(1) + "," + emu.address() + ",admin,password,"
                    + LabHardware.mgmtMac(1) + "\n");
            String state = dir.resolve("scrape.json").toString();
            run("--state", state, "import", csv.toString());
            if (run("--state", state, "scrape", "s01") != 0) {
                System.err.println("warmup: the scrape of an emulated BMC failed; the class archive lacks its classes");
            }
            run("--state", state, "scrape", "--all", "--stats", "--json");
        }
    }

    private static int run(String... args) {
        StringWriter sink = new StringWriter();
        PrintWriter w = new PrintWriter(sink);
        return Cli.run(new Context(w, w, Map.of(), Path.of(System.getProperty("java.io.tmpdir"))), args);
    }
}

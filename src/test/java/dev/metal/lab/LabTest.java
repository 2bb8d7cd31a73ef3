package dev.metal.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metal.cli.CliRun;
import dev.metal.cli.Main;
import dev.metal.testing.Tools;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** 'metal lab up' in a process of its own, and the real commands run against it. */
class LabTest {
    @TempDir
    Path tmp;

    static final Path SAMPLES = Path.of(System.getProperty("metal.basedir", "."), "samples/profiles").toAbsolutePath();

    private Process lab;

    @Test
    void theDemoCarriesTheSampleLabProfiles() throws Exception {
        for (String name : List.of("lab-1u-compute", "lab-2u-storage")) {
            try (java.io.InputStream in = Lab.class.getResourceAsStream("demo/profiles/" + name + ".yaml")) {
                assertNotNull(in, name);
                assertEquals(Files.readString(SAMPLES.resolve(name + ".yaml")), new String(in.readAllBytes(), StandardCharsets.UTF_8),
                        "samples/profiles/" + name + ".yaml and the demo's copy differ");
            }
        }
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (lab != null && lab.isAlive()) {
            lab.destroyForcibly();
            lab.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void labUpServesTheFleetThatImportDiscoverScrapeAndMatchUse() throws Exception {
        Path dir = tmp.resolve("lab");
        int port = freeTcpPort();
        List<String> out = startLab(dir, "--hosts", "6", "--racks", "2", "--bmc-port", Integer.toString(port),
                "--fault", "1:missing-dimm", "--fault", "3:bmc-timeout", "--fault", "6:nic-wrong-slot");
        assertTrue(out.stream().anyMatch(l -> l.contains("discover --leases " + dir.toAbsolutePath().resolve("dnsmasq.leases")
                + " --port " + port)), String.join("\n", out));

        // The files a real site would have: a rack CSV without BMC addresses and a dnsmasq lease file.
        List<String> csv = Files.readAllLines(dir.resolve("rack.csv"));
        assertEquals("hostname,rack,u,bmc_mac,bmc_address,bmc_user,bmc_password,ipmi_port,mgmt_mac,serial,tags", csv.get(0));
        assertEquals(7, csv.size());
        String password = Files.readString(dir.resolve("bmc-password")).strip();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("bmc-password"))));
        String[] first = csv.get(1).split(",", -1);
        assertEquals("lab-r1-n01", first[0]);
        assertEquals("lab-r1", first[1]);
        assertEquals(LabHardware.bmcMac(1), first[3]);
        assertEquals("", first[4]);
        assertEquals("file:" + dir.toAbsolutePath().resolve("bmc-password"), first[6]);
        assertEquals(LabHardware.mgmtMac(1), first[8]);
        assertEquals("lab-r2-n03", csv.get(6).split(",")[0]);
        for (String line : csv) assertFalse(line.contains(password), "the password is never in the CSV");
        List<String> leases = Files.readAllLines(dir.resolve("dnsmasq.leases"));
        assertEquals(6, leases.size());
        assertTrue(leases.get(3).matches("\\d+ " + LabHardware.bmcMac(4) + " 127\\.77\\.2\\.1 \\S+ \\S+"), leases.get(3));
        assertEquals(Long.toString(lab.pid()), Files.readString(dir.resolve("lab.pid")).strip());
        assertTrue(out.stream().anyMatch(l -> l.matches("\\s+SSH key:\\s+" + java.util.regex.Pattern.quote(
                dir.toAbsolutePath().resolve("ssh/id_ed25519").toString()) + " .*")), "lab up shows its SSH key: " + out);

        // Every BMC answers over HTTPS on its own address, except the one that hangs.
        for (String ip : List.of("127.77.1.1", "127.77.1.2", "127.77.2.1", "127.77.2.2", "127.77.2.3")) {
            assertTrue(httpsStatusLine(ip, port).startsWith("HTTP/1.1 200"), ip);
        }
        assertEquals("", httpsStatusLine("127.77.1.3", port), "the bmc-timeout server never answers");

        Path state = tmp.resolve("state.json");
        CliRun run = CliRun.metal(state, "import", dir.resolve("rack.csv").toString());
        assertEquals(0, run.exitCode, run.toString());
        run = CliRun.metal(state, "discover", "--leases", dir.resolve("dnsmasq.leases").toString(), "--port",
                Integer.toString(port));
        assertEquals(0, run.exitCode, run.toString());
        assertTrue(run.out.contains("https://127.77.2.3:" + port), run.out);
        run = CliRun.metal(state, "scrape", "--all", "--timeout", "2", "--retries", "0");
        assertEquals(3, run.exitCode, run.toString());
        assertTrue(run.out.matches("(?s).*lab-r1-n03\\s+failed: .*timed out.*"), run.out);
        assertTrue(run.out.contains("5 ok, 1 failed"), run.out);
        run = CliRun.metal(state, "match", "--all", "--profiles", SAMPLES.toString());
        assertEquals(3, run.exitCode, run.toString());
        assertTrue(run.out.matches("(?s).*lab-r1-n02\\s+matched\\s+lab-1u-compute.*"), run.out);
        assertTrue(run.out.matches("(?s).*lab-r2-n02\\s+matched\\s+lab-2u-storage.*"), run.out);
        assertTrue(run.out.matches("(?s).*lab-r1-n01\\s+failed.*"), run.out);
        assertTrue(run.out.contains("DIMM slot D2 empty"), run.out);
        assertTrue(run.out.matches("(?s).*lab-r2-n03\\s+failed.*"), run.out);

        run = CliRun.metal(state, "lab", "down", "--dir", dir.toString());
        assertEquals(0, run.exitCode, run.toString());
        assertFalse(lab.isAlive(), "lab down waits until the lab is gone");
        assertFalse(Files.exists(dir.resolve("lab.pid")));
        assertEquals("", httpsStatusLine("127.77.1.1", port), "no BMC is left listening");
        run = CliRun.metal(state, "lab", "down", "--dir", dir.toString());
        assertEquals(2, run.exitCode, run.toString());
        assertTrue(run.err.contains("no lab is running in"), run.err);
    }

    @Test
    void badLabOptionsAreExit2WithEveryProblem() {
        Path state = tmp.resolve("state.json");
        CliRun run = CliRun.metal(state, "lab", "up", "--dir", tmp.resolve("lab").toString(), "--hosts", "4",
                "--fault", "9:missing-dimm", "--fault", "2:melted", "--fault", "x", "--latency", "-1");
        assertEquals(2, run.exitCode, run.toString());
        assertTrue(run.err.contains("there is no lab server 9 (1 to 4)"), run.err);
        assertTrue(run.err.contains("unknown kind 'melted'"), run.err);
        assertTrue(run.err.contains("'x' is not N:KIND"), run.err);
        assertTrue(run.err.contains("--latency must not be negative"), run.err);
        assertFalse(Files.exists(tmp.resolve("lab").resolve("rack.csv")), "nothing was started");
        run = CliRun.metal(state, "lab", "up", "--dir", tmp.resolve("lab").toString(), "--hosts", "600", "--racks", "2");
        assertEquals(2, run.exitCode, run.toString());
        assertTrue(run.err.contains("--racks 2 cannot hold 600 servers: a rack holds at most 60 (U 1-60); give --racks 10 or more"),
                run.err);
    }

    @Test
    void ipmiPowerOnShowsInRedfishAndStartsTheMachine() throws Exception {
        Tools.require("ipmi_sim", "openipmi");
        Path dir = tmp.resolve("lab");
        int ipmiPort = IpmiSimProcess.freeUdpPort();
        int bmcPort = freeTcpPort();
        Lab.Options options = new Lab.Options(2, 1, 0, List.of(), dir, true, java.net.URI.create("http://127.0.0.1:9"),
                bmcPort, ipmiPort, Duration.ofMillis(100));
        try (Lab lab = Lab.start(options)) {
            lab.awaitReady(Duration.ofSeconds(20));
            // ipmi_sim's configuration holds the BMC password: owner only, like bmc-password.
            Path lanConf = dir.resolve("ipmi").resolve("lab-r1-n02").resolve("lan.conf");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(lanConf)));
            Path state = tmp.resolve("state.json");
            assertEquals(0, CliRun.metal(state, "import", dir.resolve("rack.csv").toString()).exitCode);
            assertEquals(0, CliRun.metal(state, "discover", "--leases", dir.resolve("dnsmasq.leases").toString(),
                    "--port", Integer.toString(bmcPort)).exitCode);
            Lab.Server server = lab.server("lab-r1-n02");
            assertEquals("Off", server.redfishPowerState());
            assertEquals(Machine.Status.OFF, server.machine.status());

            CliRun run = CliRun.metal(state, "power", "on", "lab-r1-n02", "--via", "ipmi");
            assertEquals(0, run.exitCode, run.toString());
            assertEquals(Machine.Status.RUNNING, server.machine.await(Duration.ofSeconds(5), Machine.Status.RUNNING),
                    "the machine behind both BMCs starts");
            awaitRedfishPower(server, "On");
            assertEquals("Off", lab.server("lab-r1-n01").redfishPowerState(), "only that server");

            run = CliRun.metal(state, "power", "off", "lab-r1-n02", "--via", "ipmi");
            assertEquals(0, run.exitCode, run.toString());
            assertEquals(Machine.Status.OFF, server.machine.await(Duration.ofSeconds(5), Machine.Status.OFF));
            awaitRedfishPower(server, "Off");
        }
    }

    @Test
    void aRedfishResetDrivesTheMachineAndTheIpmiSide() throws Exception {
        Path dir = tmp.resolve("lab");
        Lab.Options options = new Lab.Options(1, 1, 0, List.of(), dir, true, java.net.URI.create("http://127.0.0.1:9"),
                freeTcpPort(), IpmiSimProcess.freeUdpPort(), Duration.ofMillis(100));
        try (Lab lab = Lab.start(options)) {
            Lab.Server server = lab.servers().get(0);
            String password = Files.readString(dir.resolve("bmc-password")).strip();
            String status = https(server.ip, options.bmcPort(), "POST /redfish/v1/Systems/1/Actions/ComputerSystem.Reset",
                    "admin:" + password, "{\"ResetType\": \"On\"}");
            assertTrue(status.startsWith("HTTP/1.1 204"), status);
            assertEquals(Machine.Status.RUNNING, server.machine.await(Duration.ofSeconds(5), Machine.Status.RUNNING));
            assertTrue(server.ipmi().powerOn(), "ipmi_sim sees the power the Redfish side set");
        }
    }

    private static void awaitRedfishPower(Lab.Server server, String wanted) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!server.redfishPowerState().equals(wanted) && System.nanoTime() < deadline) Thread.sleep(50);
        assertEquals(wanted, server.redfishPowerState());
    }

    /** Starts 'metal lab up --dir DIR ARGS' as its own process and returns its output up to 'ready'. */
    private List<String> startLab(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "lab", "up", "--dir", dir.toString()));
        cmd.addAll(List.of(args));
        lab = new ProcessBuilder(cmd).redirectError(tmp.resolve("lab.err").toFile()).start();
        BlockingQueue<String> lines = new ArrayBlockingQueue<>(1000);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(lab.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) lines.add(l);
            } catch (IOException ignored) {
                // the process ended
            }
        });
        reader.setDaemon(true);
        reader.start();
        List<String> out = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        while (System.nanoTime() < deadline) {
            String l = lines.poll(100, TimeUnit.MILLISECONDS);
            if (l == null) {
                if (!lab.isAlive()) break;
                continue;
            }
            out.add(l);
            if (l.equals("ready")) return out;
        }
        throw new AssertionError("no 'ready' from lab up: " + out + "\n" + Files.readString(tmp.resolve("lab.err")));
    }

    static int freeTcpPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The status line of an HTTPS GET of the service root, or "" when nothing answers within 2 s. */
    static String httpsStatusLine(String ip, int port) throws Exception {
        return https(ip, port, "GET /redfish/v1", null, null);
    }

    /** One HTTPS request ("METHOD PATH"), with Basic auth when given; the status line, or "" without an answer. */
    static String https(String ip, int port, String request, String basic, String body) throws Exception {
        StringBuilder head = new StringBuilder(request + " HTTP/1.1\r\nHost: " + ip + "\r\nConnection: close\r\n");
        if (basic != null) {
            head.append("Authorization: Basic ")
                    .append(java.util.Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8))).append("\r\n");
        }
        byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        if (body != null) head.append("Content-Type: application/json\r\nContent-Length: ").append(content.length).append("\r\n");
        head.append("\r\n");
        SSLContext ctx = Lab.trustAll();
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(ip, port), 2000);
            plain.setSoTimeout(2000);
            try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(plain, ip, port, true)) {
                OutputStream o = s.getOutputStream();
                o.write(head.toString().getBytes(StandardCharsets.US_ASCII));
                o.write(content);
                o.flush();
                BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                String line = r.readLine();
                return line == null ? "" : line;
            }
        } catch (IOException e) {
            return "";
        }
    }
}

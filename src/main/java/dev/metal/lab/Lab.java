package dev.metal.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.metal.agent.AgentBuilder;
import dev.metal.agent.ImageBuilder;
import dev.metal.bmc.BootDevice;
import dev.metal.bmc.PowerState;
import dev.metal.model.BadInputException;
import dev.metal.model.SystemicException;
import dev.metal.util.Log;
import dev.metal.util.Parallel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A fleet of emulated servers in one process: each has a Redfish BMC over HTTPS on its own
 * loopback address 127.77.R.N (rack R, server N in the rack), optionally an ipmi_sim on the
 * same address, and a {@link Machine} behind both that follows their power and boot
 * override. It writes the rack CSV and the DHCP lease file a real site would have, so that
 * every metal command runs against it unchanged.
 */
public final class Lab implements AutoCloseable {
    /** A fault injected into one lab server. */
    public enum FaultKind {
        MISSING_DIMM, NIC_WRONG_SLOT, DEAD_DISK, BMC_TIMEOUT, NO_PHONE_HOME, INSTALL_FAILS;

        public String spec() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** {@code --fault N:KIND}: lab server N (1-based, counted over all racks). */
    public record Fault(int server, FaultKind kind) {
        /** Parses "3:missing-dimm"; throws IllegalArgumentException with the reason. */
        public static Fault parse(String spec) {
            int colon = spec.indexOf(':');
            if (colon < 0) throw new IllegalArgumentException("fault '" + spec + "' is not N:KIND");
            int n;
            try {
                n = Integer.parseInt(spec.substring(0, colon).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("fault '" + spec + "': '" + spec.substring(0, colon) + "' is not a server number");
            }
            String kind = spec.substring(colon + 1).trim();
            for (FaultKind k : FaultKind.values()) {
                if (k.spec().equalsIgnoreCase(kind)) return new Fault(n, k);
            }
            throw new IllegalArgumentException("fault '" + spec + "': unknown kind '" + kind + "' (one of "
                    + String.join(", ", EnumSet.allOf(FaultKind.class).stream().map(FaultKind::spec).toList()) + ")");
        }

        @Override
        public String toString() {
            return server + ":" + kind.spec();
        }
    }

    public static final int DEFAULT_BMC_PORT = 8443;
    public static final int DEFAULT_IPMI_PORT = 1623;
    public static final int PER_RACK_DEFAULT = 24;
    /** The highest rack unit a rack CSV takes. */
    public static final int MAX_U = 60;
    public static final String USER = "admin";

    /**
     * What to bring up. {@code racks} 0: one rack per {@value #PER_RACK_DEFAULT} servers.
     * {@code vms}: servers 1..vms are qemu VMs ({@code uefi}: with OVMF), booting the agent
     * from {@code agent} (a folder with vmlinuz and initrd; null: built from the Debian packages).
     */
    public record Options(int hosts, int racks, long latencyMs, List<Fault> faults, Path dir, boolean ipmi,
                          URI bootServer, int bmcPort, int ipmiPort, Duration installTime, int vms, boolean uefi,
                          Path agent) {
        /** A lab of simulated machines only. */
        public Options(int hosts, int racks, long latencyMs, List<Fault> faults, Path dir, boolean ipmi,
                       URI bootServer, int bmcPort, int ipmiPort, Duration installTime) {
            this(hosts, racks, latencyMs, faults, dir, ipmi, bootServer, bmcPort, ipmiPort, installTime, 0, false, null);
        }

        /** The same lab with servers 1..vms as qemu VMs. */
        public Options withVms(int count, boolean withUefi, Path agentDir) {
            return new Options(hosts, racks, latencyMs, faults, dir, ipmi, bootServer, bmcPort, ipmiPort, installTime,
                    count, withUefi, agentDir);
        }

        public int rackCount() {
            return racks > 0 ? racks : Math.max(1, (hosts + PER_RACK_DEFAULT - 1) / PER_RACK_DEFAULT);
        }

        public int perRack() {
            int r = rackCount();
            return (hosts + r - 1) / r;
        }

        /** The rack unit of the server in {@code slot}: every other U while the racks have room for that, else every U. */
        public int u(int slot) {
            return perRack() * 2 - 1 <= MAX_U ? slot * 2 - 1 : slot;
        }

        /**
         * Options from the command line: fault specs (N:KIND) and the boot server URL as given.
         * Every problem is in one {@link BadInputException}. A BMC port of 0 picks a free one.
         */
        public static Options parse(int hosts, Integer racks, long latency, List<String> faultSpecs, Path dir, boolean ipmi,
                                    String bootServer, int bmcPort, int ipmiPort, Duration installTime) {
            return parse(hosts, racks, latency, faultSpecs, dir, ipmi, bootServer, bmcPort, ipmiPort, installTime, 0, false, null);
        }

        /** The same, with servers 1..vms as qemu VMs. */
        public static Options parse(int hosts, Integer racks, long latency, List<String> faultSpecs, Path dir, boolean ipmi,
                                    String bootServer, int bmcPort, int ipmiPort, Duration installTime, int vms,
                                    boolean uefi, Path agent) {
            List<String> problems = new ArrayList<>();
            List<Fault> faults = new ArrayList<>();
            for (String spec : faultSpecs) {
                try {
                    faults.add(Fault.parse(spec));
                } catch (IllegalArgumentException e) {
                    problems.add("--fault " + e.getMessage());
                }
            }
            URI boot;
            try {
                boot = URI.create(bootServer);
            } catch (IllegalArgumentException e) {
                boot = null;
            }
            if (racks != null && racks < 1) problems.add("--racks must be at least 1");
            Options options = new Options(hosts, racks == null ? 0 : Math.max(racks, 1), latency, faults, dir, ipmi, boot,
                    bmcPort, ipmiPort, installTime, vms, uefi, agent);
            problems.addAll(options.problems());
            if (!problems.isEmpty()) throw new BadInputException(problems);
            return options;
        }

        /** Every problem with these options, one line each; empty when they are fine. */
        public List<String> problems() {
            List<String> p = new ArrayList<>();
            if (hosts < 1) p.add("--hosts must be at least 1");
            if (racks < 0) p.add("--racks must be at least 1");
            if (hosts >= 1 && racks > hosts) p.add("--racks " + racks + " is more than --hosts " + hosts);
            if (hosts >= 1 && rackCount() > 250) p.add("at most 250 racks (127.77.R.N addresses)");
            if (hosts >= 1 && racks >= 0 && racks <= hosts && perRack() > MAX_U) {
                p.add("--racks " + rackCount() + " cannot hold " + hosts + " servers: a rack holds at most " + MAX_U
                        + " (U 1-" + MAX_U + "); give --racks " + ((hosts + MAX_U - 1) / MAX_U) + " or more");
            }
            if (latencyMs < 0) p.add("--latency must not be negative");
            if (vms < 0 || vms > hosts) p.add("--vm " + vms + ": between 0 and --hosts " + hosts);
            if (uefi && vms == 0) p.add("--uefi needs --vm N");
            if (agent != null && !(Files.isRegularFile(agent.resolve("vmlinuz")) && Files.isRegularFile(agent.resolve("initrd")))) {
                p.add("--agent " + agent + ": no vmlinuz and initrd there ('metal agent build --out " + agent + "' makes them)");
            }
            if (bmcPort < 0 || bmcPort > 65535) p.add("--bmc-port " + bmcPort + " is out of range");
            if (ipmiPort < 1 || ipmiPort > 65535) p.add("--ipmi-port " + ipmiPort + " is out of range");
            for (Fault f : faults) {
                if (f.server() < 1 || f.server() > hosts) p.add("--fault " + f + ": there is no lab server " + f.server()
                        + " (1 to " + hosts + ")");
            }
            String scheme = bootServer == null ? null : bootServer.getScheme();
            if (bootServer == null || bootServer.getHost() == null || !("http".equals(scheme) || "https".equals(scheme))) {
                p.add("--boot-server must be an http:// URL");
            }
            return p;
        }
    }

    /** One lab server: where its BMC is, what it is, and the parts that emulate it. */
    public static final class Server {
        public final int number;
        public final int rack;
        public final int slot;
        public final String hostname;
        public final String rackName;
        public final String ip;
        public final ServerModel model;
        public final Set<FaultKind> faults;
        public final RedfishEmulator bmc;
        public final Machine machine;
        /** The qemu VM this server is, or null when its machine is simulated. */
        public final QemuVm vm;
        IpmiSimProcess ipmi;
        Log log = Log.stderr();
        // What the IPMI side showed last, so the poller acts on changes only.
        private boolean ipmiPower;
        private String ipmiBoot = "none";
        private long ipmiResets;

        Server(int number, int rack, int slot, ServerModel model, Set<FaultKind> faults, RedfishEmulator bmc,
               Machine machine, QemuVm vm) {
            this.vm = vm;
            this.number = number;
            this.rack = rack;
            this.slot = slot;
            this.hostname = String.format("lab-r%d-n%02d", rack, slot);
            this.rackName = "lab-r" + rack;
            this.ip = "127.77." + rack + "." + slot;
            this.model = model;
            this.faults = faults;
            this.bmc = bmc;
            this.machine = machine;
        }

        public String bmcMac() {
            return LabHardware.bmcMac(number);
        }

        public String mgmtMac() {
            return LabHardware.mgmtMac(number);
        }

        public String serial() {
            return LabHardware.serial(model, number);
        }

        public IpmiSimProcess ipmi() {
            return ipmi;
        }

        /** The Redfish PowerState the BMC reports now. */
        public String redfishPowerState() {
            ObjectNode s = bmc.resource(LabHardware.SYSTEM);
            return s == null ? "" : s.path("PowerState").asText();
        }

        /** Redfish side: a Reset changed the power. */
        synchronized void onReset(String type, String powerState) {
            boolean wasOn = (vm != null ? vm.powerState() : machine.powerState()) == PowerState.ON;
            if (powerState.equals("Off")) {
                if (wasOn) powerOff();
                ipmiSet(false);
                return;
            }
            boolean restart = switch (type) {
                case "ForceRestart", "GracefulRestart", "PowerCycle" -> true;
                default -> false;
            };
            if (!wasOn || restart) powerOn(takeBootDevice());
            ipmiSet(true);
        }

        /** IPMI side: looks at what ipmi_sim's chassis script recorded and follows changes. */
        synchronized void pollIpmi() {
            if (ipmi == null) return;
            String boot;
            boolean power;
            long resets;
            try {
                boot = ipmi.bootDevice();
                power = ipmi.powerOn();
                Path r = ipmi.dir().resolve("resets");
                resets = Files.exists(r) ? Files.size(r) : 0;
            } catch (UncheckedIOException | IOException e) {
                return; // the script is writing the file; next round
            }
            if (!boot.equals(ipmiBoot)) {
                ipmiBoot = boot;
                if (boot.equals("pxe") || boot.equals("default")) {
                    // One BMC, two protocols: an IPMI boot device is the override Redfish shows too.
                    setOverride(boot.equals("pxe") ? "Pxe" : "Hdd", "Once");
                }
            }
            if (power != ipmiPower) {
                ipmiPower = power;
                if (power) powerOn(takeBootDevice());
                else powerOff();
                setPowerState(power ? "On" : "Off");
            } else if (resets != ipmiResets && power) {
                powerOn(takeBootDevice());
            }
            ipmiResets = resets;
        }

        /** The machine behind the BMC: the VM when the server is one (qemu starts, slowly), else the simulation. */
        private void powerOn(BootDevice device) {
            if (vm == null) {
                machine.powerOn(device);
                return;
            }
            try {
                vm.powerOn(device);
            } catch (RuntimeException e) {
                log.warn(hostname + ": " + e.getMessage());
            }
        }

        private void powerOff() {
            if (vm != null) vm.powerOff();
            else machine.powerOff();
        }

        private void ipmiSet(boolean on) {
            if (ipmi == null) return;
            ipmi.setPower(on);
            ipmiPower = on;
        }

        /** The device this power-on boots from; a one-time override is used up, as on a real BMC. */
        private BootDevice takeBootDevice() {
            ObjectNode system = bmc.resource(LabHardware.SYSTEM);
            JsonNode boot = system.path("Boot");
            String enabled = boot.path("BootSourceOverrideEnabled").asText("Disabled");
            String target = boot.path("BootSourceOverrideTarget").asText("None");
            if (enabled.equals("Disabled") || target.equals("None")) return BootDevice.DISK;
            if (enabled.equals("Once")) {
                setOverride("None", "Disabled");
                if (ipmi != null) {
                    try {
                        Files.writeString(ipmi.dir().resolve("boot"), "none\n");
                        ipmiBoot = "none";
                    } catch (IOException e) {
                        log.warn(hostname + ": cannot clear the IPMI boot device: " + e.getMessage());
                    }
                }
            }
            return switch (target) {
                case "Pxe" -> BootDevice.PXE;
                case "Cd" -> BootDevice.CDROM;
                case "BiosSetup" -> BootDevice.BIOS;
                default -> BootDevice.DISK;
            };
        }

        private void setOverride(String target, String enabled) {
            bmc.update(LabHardware.SYSTEM, system -> ((ObjectNode) system.get("Boot"))
                    .put("BootSourceOverrideTarget", target)
                    .put("BootSourceOverrideEnabled", enabled));
        }

        private void setPowerState(String state) {
            bmc.update(LabHardware.SYSTEM, system -> system.put("PowerState", state));
        }
    }

    private final Options options;
    private final Log log;
    private final String password;
    /** The Redfish port every BMC listens on: the one asked for, or the free one found. */
    private int bmcPort;
    private final List<Server> servers = new ArrayList<>();
    private final ExecutorService executor;
    private ScheduledExecutorService ipmiPoller;
    private volatile boolean closed;

    private Lab(Options options, Log log, String password) {
        this.options = options;
        this.log = log;
        this.password = password;
        this.bmcPort = options.bmcPort();
        // One pool for every BMC of the fleet: threads come and go with requests, not with BMCs.
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "lab-bmc");
            t.setDaemon(true);
            return t;
        });
    }

    /** Checks the options (bad ones: {@link BadInputException}), writes the files and starts every server. */
    public static Lab start(Options options) {
        return start(options, Log.stderr());
    }

    /** The same, with the lab's warnings going to {@code log}. */
    public static Lab start(Options options, Log log) {
        List<String> problems = options.problems();
        if (!problems.isEmpty()) throw new BadInputException(problems);
        byte[] secret = new byte[8]; // 16 characters: IPMI 2.0 passwords stop at 20
        new SecureRandom().nextBytes(secret);
        Lab lab = new Lab(options, log, HexFormat.of().formatHex(secret));
        try {
            lab.startServers();
            lab.writeFiles();
        } catch (RuntimeException | IOException e) {
            lab.close();
            if (e instanceof RuntimeException r) throw r;
            throw new UncheckedIOException("cannot start the lab: " + e.getMessage(), (IOException) e);
        }
        return lab;
    }

    private void startServers() throws IOException {
        Files.createDirectories(options.dir());
        if (options.vms() > 0) QemuVm.check(options.uefi());
        SelfSigned cert = SelfSigned.generate("metal-lab-bmc");
        // Port 0: the first BMC takes a free port and the others the same on their addresses;
        // when one of those is taken there (another lab), all start over on another port.
        for (int attempt = 1; ; attempt++) {
            try {
                startBmcs(cert);
                break;
            } catch (SystemicException taken) {
                if (options.bmcPort() != 0 || attempt == 10) throw taken;
                for (Server s : servers) s.bmc.close();
                servers.clear();
                bmcPort = 0;
            }
        }
        if (options.ipmi()) startIpmi();
    }

    private void startBmcs(SelfSigned cert) throws IOException {
        int perRack = options.perRack();
        for (int i = 1; i <= options.hosts(); i++) {
            int rack = (i - 1) / perRack + 1;
            int slot = (i - 1) % perRack + 1;
            ServerModel model = ServerModel.ALL.get(i % ServerModel.ALL.size());
            Set<FaultKind> faults = EnumSet.noneOf(FaultKind.class);
            for (Fault f : options.faults()) if (f.server() == i) faults.add(f.kind());
            Set<Machine.Fault> machineFaults = EnumSet.noneOf(Machine.Fault.class);
            if (faults.contains(FaultKind.NO_PHONE_HOME)) machineFaults.add(Machine.Fault.NO_PHONE_HOME);
            if (faults.contains(FaultKind.INSTALL_FAILS)) machineFaults.add(Machine.Fault.INSTALL_FAILS);
            InetAddress address = InetAddress.getByName("127.77." + rack + "." + slot);
            RedfishEmulator bmc;
            try {
                bmc = RedfishEmulator.builder()
                        .resources(i <= options.vms() ? LabHardware.vmTree(model, i, faults) : LabHardware.tree(model, i, faults))
                        .credentials(USER, password)
                        .latencyMs(options.latencyMs())
                        .maxSessions(8)
                        .maxConcurrent(4, RedfishEmulator.Overload.WAIT)
                        .tls(cert.context())
                        .executor(executor)
                        .bind(address)
                        .port(bmcPort)
                        .build();
            } catch (UncheckedIOException e) {
                throw new SystemicException("cannot listen on " + address.getHostAddress() + ":" + bmcPort
                        + " (is another lab running?): " + e.getCause().getMessage(), e);
            }
            if (bmcPort == 0) bmcPort = bmc.baseUri().getPort();
            if (faults.contains(FaultKind.BMC_TIMEOUT)) bmc.unresponsive(true);
            Machine machine = new Machine(LabHardware.mgmtMac(i), options.bootServer(), machineFaults, options.installTime());
            String hostname = String.format("lab-r%d-n%02d", rack, slot);
            QemuVm vm = i > options.vms() ? null : new QemuVm(hostname, LabHardware.mgmtMac(i),
                    options.dir().resolve("vm-" + i), options.bootServer(), options.uefi(),
                    LabHardware.driveSerial(model, i, 0), log);
            if (vm != null) LabHardware.hostLogger(bmc, () -> vm.consoleTail(1000));
            Server server = new Server(i, rack, slot, model, faults, bmc, machine, vm);
            server.log = log;
            bmc.addListener(new RedfishEmulator.Listener() {
                @Override
                public void onReset(String systemUri, String resetType, String powerState) {
                    server.onReset(resetType, powerState);
                }
            });
            servers.add(server);
        }
    }

    private void startIpmi() {
        // ipmi_sim takes a moment to start; a few at a time keeps a big lab from waiting on each in turn.
        // On a failure the starts not begun yet are dropped, and close() stops those that ran.
        Parallel.map(servers, 4, "lab-ipmi-start", s -> {
            s.ipmi = IpmiSimProcess.start(options.dir().resolve("ipmi").resolve(s.hostname), s.ip,
                    options.ipmiPort(), USER, password);
            return s;
        });
        ipmiPoller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lab-ipmi-poll");
            t.setDaemon(true);
            return t;
        });
        ipmiPoller.scheduleWithFixedDelay(() -> {
            for (Server s : servers) s.pollIpmi();
        }, 100, 100, TimeUnit.MILLISECONDS);
    }

    private void writeFiles() throws IOException {
        Path dir = options.dir();
        Path passwordFile = dir.resolve("bmc-password");
        Files.deleteIfExists(passwordFile);
        Files.createFile(passwordFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(passwordFile, password + "\n");
        String passwordRef = "file:" + passwordFile.toAbsolutePath();
        StringBuilder csv = new StringBuilder("hostname,rack,u,bmc_mac,bmc_address,bmc_user,bmc_password,ipmi_port,mgmt_mac,serial,tags\n");
        StringBuilder leases = new StringBuilder();
        long expiry = Instant.now().plus(Duration.ofDays(1)).getEpochSecond();
        for (Server s : servers) {
            csv.append(String.join(",", s.hostname, s.rackName, Integer.toString(options.u(s.slot)), s.bmcMac(), "",
                    USER, passwordRef, options.ipmi() ? Integer.toString(options.ipmiPort()) : "", s.mgmtMac(),
                    s.serial(), "lab;" + s.model.name())).append('\n');
            leases.append(expiry).append(' ').append(s.bmcMac()).append(' ').append(s.ip).append(' ')
                    .append(s.hostname).append("-bmc ").append("01:").append(s.bmcMac()).append('\n');
        }
        writeAtomically(dir.resolve("rack.csv"), csv.toString());
        writeAtomically(dir.resolve("dnsmasq.leases"), leases.toString());
        // The site plan, profiles and boot images the rest of the pipeline needs for this fleet.
        DemoKit.write(dir, options.bootServer().toString().replaceAll("/+$", ""), options.rackCount());
        if (options.vms() > 0) {
            placeAgent(dir.resolve("files").resolve("agent"));
            placeImage(dir);
        }
        writeAtomically(dir.resolve("lab.pid"), ProcessHandle.current().pid() + "\n");
    }

    /**
     * The OS image the VMs can be provisioned with (the site plan's OS 'lab-image'): built from
     * the Debian packages into DIR/files, with its sha256 in the site plan.
     */
    private void placeImage(Path dir) throws IOException {
        log.info("building the lab image for the lab's VMs from " + AgentBuilder.defaultDebs());
        ImageBuilder.Built image = ImageBuilder.build(AgentBuilder.defaultDebs(), dir.resolve("files"), "lab-image");
        Files.deleteIfExists(image.raw()); // the .xz is what the boot server serves
        Path site = dir.resolve("site.yaml");
        writeAtomically(site, Files.readString(site, StandardCharsets.UTF_8) + """
                  # An image OS: the agent streams it onto the boot disk, writes the host's config into it and kexecs.
                  # no_timer_check: a VM on a busy machine can fail the kernel's timer check and panic.
                  lab-image:
                    kernel: /files/agent/vmlinuz
                    initrd: /files/agent/initrd
                    cmdline: console=ttyS0,115200n8 no_timer_check
                    image: lab-image.raw.xz
                    sha256: %s
                """.formatted(image.sha256()));
    }

    /** The agent the VMs boot (the site plan's OS 'agent'): copied from --agent, else built from the Debian packages. */
    private void placeAgent(Path into) throws IOException {
        Files.createDirectories(into);
        if (options.agent() == null) {
            log.info("building the agent for the lab's VMs from " + AgentBuilder.defaultDebs());
            AgentBuilder.build(AgentBuilder.defaultDebs(), into);
            return;
        }
        for (String f : List.of(AgentBuilder.KERNEL, AgentBuilder.INITRD)) {
            Files.copy(options.agent().resolve(f), into.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void writeAtomically(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Waits until every BMC answers GET /redfish/v1 over HTTPS (those with the bmc-timeout
     * fault are left out: they never will), a few at a time.
     */
    public void awaitReady(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        SSLContext trustAll = trustAll();
        List<Server> answering = servers.stream().filter(s -> !s.faults.contains(FaultKind.BMC_TIMEOUT)).toList();
        Parallel.map(answering, 16, "lab-ready", s -> {
            while (System.nanoTime() < deadline) {
                if (answers(trustAll, s.ip, bmcPort)) return s;
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SystemicException("interrupted while waiting for the lab");
                }
            }
            throw new SystemicException("the BMC of " + s.hostname + " (" + s.ip + ":" + bmcPort
                    + ") did not answer within " + limit.toSeconds() + " s");
        });
    }

    /** One HTTPS GET of the service root; true on a 200. */
    private static boolean answers(SSLContext ctx, String ip, int port) {
        try (SSLSocket socket = (SSLSocket) ctx.getSocketFactory().createSocket()) {
            socket.connect(new InetSocketAddress(ip, port), 2000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /redfish/v1 HTTP/1.1\r\nHost: " + ip + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] head = new byte[12];
            int n = in.readNBytes(head, 0, head.length);
            return new String(head, 0, n, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200");
        } catch (IOException e) {
            return false;
        }
    }

    /** The lab checks only its own BMCs, whose certificate it made itself (its tests too). */
    static SSLContext trustAll() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {}

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {}

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            return ctx;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public Options options() {
        return options;
    }

    /** The Redfish port of every BMC (the free one found when the options asked for port 0). */
    public int bmcPort() {
        return bmcPort;
    }

    public List<Server> servers() {
        return List.copyOf(servers);
    }

    public Server server(String hostname) {
        for (Server s : servers) if (s.hostname.equals(hostname)) return s;
        return null;
    }

    /** The rack CSV the lab wrote, to import. */
    public Path rackCsv() {
        return options.dir().resolve("rack.csv");
    }

    /** The dnsmasq lease file that gives each BMC its address, to discover from. */
    public Path leases() {
        return options.dir().resolve("dnsmasq.leases");
    }

    /** Stops every BMC and ipmi_sim and removes lab.pid; safe to call twice. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (ipmiPoller != null) ipmiPoller.shutdownNow();
        for (Server s : servers) {
            s.bmc.close();
            s.machine.powerOff();
            if (s.vm != null) s.vm.powerOff();
            if (s.ipmi != null) s.ipmi.close();
        }
        executor.shutdownNow();
        try {
            Path pid = options.dir().resolve("lab.pid");
            if (Files.exists(pid) && Files.readString(pid).strip().equals(Long.toString(ProcessHandle.current().pid()))) {
                Files.delete(pid);
            }
        } catch (IOException e) {
            log.warn("cannot remove " + options.dir().resolve("lab.pid") + ": " + e.getMessage());
        }
    }
}

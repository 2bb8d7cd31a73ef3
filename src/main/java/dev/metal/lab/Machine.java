package dev.metal.lab;

import dev.metal.bmc.BootDevice;
import dev.metal.bmc.PowerState;
import dev.metal.boot.BootUrls;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A simulated server behind a BMC. Powered on with PXE it boots like a real one: it asks
 * the boot server for its iPXE script by MAC, fetches the kernel, initrd and the configs
 * the script and the kernel command line name (a kernel or initrd that is a web page does
 * not start, as a download gone wrong would not), "installs" for a while and posts the
 * phone-home URL it found in those configs. With the disk it just runs. Any BMC (the
 * Redfish emulator, the ipmi_sim chassis script, an in-process test BMC) drives it
 * through {@link #powerOn} and {@link #powerOff}.
 */
public final class Machine {
    public enum Fault { NO_PHONE_HOME, INSTALL_FAILS }

    public enum Status { OFF, PXE_BOOTING, INSTALLING, INSTALLED, RUNNING, FAILED }

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private static final ExecutorService BOOTS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "lab-machine");
        t.setDaemon(true);
        return t;
    });
    private static final Pattern PHONE_HOME = Pattern.compile("https?://[^\\s\"'<>]+/phone-home/[^\\s\"'<>;]+");
    private static final int MAX_CHAIN = 5;

    private final String mac;
    private final URI bootServer;
    private final Set<Fault> faults;
    private final Duration installTime;

    private Status status = Status.OFF;
    private String detail = "";
    private boolean installed;
    private int generation; // a power change makes a boot in flight stale
    private final List<String> fetched = new ArrayList<>();

    public Machine(String mac, URI bootServer, Set<Fault> faults, Duration installTime) {
        this.mac = mac;
        this.bootServer = bootServer;
        this.faults = faults.isEmpty() ? EnumSet.noneOf(Fault.class) : EnumSet.copyOf(faults);
        this.installTime = installTime;
    }

    public String mac() {
        return mac;
    }

    public synchronized Status status() {
        return status;
    }

    /** What happened last, e.g. "boot failed: GET ... -> 403". */
    public synchronized String detail() {
        return detail;
    }

    public synchronized PowerState powerState() {
        return status == Status.OFF ? PowerState.OFF : PowerState.ON;
    }

    /** The URLs fetched in the current boot, in order. */
    public synchronized List<String> fetched() {
        return List.copyOf(fetched);
    }

    /** Powers on (or resets when on) and boots from {@code device}; returns at once, the boot runs on. */
    public synchronized void powerOn(BootDevice device) {
        int boot = ++generation;
        fetched.clear();
        if (device == BootDevice.PXE) {
            set(boot, Status.PXE_BOOTING, "PXE boot");
            BOOTS.execute(() -> pxeBoot(boot));
        } else {
            set(boot, Status.RUNNING, installed ? "running from disk" : "no operating system on disk");
        }
    }

    public synchronized void powerOff() {
        set(++generation, Status.OFF, "off");
    }

    /** Waits until the status is one of {@code wanted}; returns the status at the end. */
    public synchronized Status await(Duration timeout, Status... wanted) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Set.of(wanted).contains(status)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) break;
            wait(Math.max(1, left / 1_000_000));
        }
        return status;
    }

    private synchronized boolean set(int boot, Status s, String why) {
        if (boot != generation) return false;
        status = s;
        detail = why;
        notifyAll();
        return true;
    }

    private synchronized boolean current(int boot) {
        return boot == generation;
    }

    private void pxeBoot(int boot) {
        try {
            List<String> configs = new ArrayList<>();
            String scriptUrl = BootUrls.ipxe(bootServer.toString(), mac);
            String script = get(boot, scriptUrl);
            Outcome outcome = runScript(boot, URI.create(scriptUrl), script, configs, 0);
            if (outcome == Outcome.LOCAL_DISK) {
                set(boot, Status.RUNNING, installed ? "running from disk" : "no operating system on disk");
                return;
            }
            if (!set(boot, Status.INSTALLING, "installing")) return;
            Thread.sleep(installTime.toMillis());
            if (!current(boot)) return;
            if (faults.contains(Fault.INSTALL_FAILS)) {
                set(boot, Status.FAILED, "install failed");
                return;
            }
            synchronized (this) {
                if (boot == generation) installed = true;
            }
            if (faults.contains(Fault.NO_PHONE_HOME)) {
                set(boot, Status.INSTALLED, "installed, did not phone home");
                return;
            }
            String phoneHome = null;
            for (String text : configs) {
                Matcher m = PHONE_HOME.matcher(text);
                if (m.find()) {
                    phoneHome = m.group();
                    break;
                }
            }
            if (phoneHome == null) {
                set(boot, Status.FAILED, "installed, but no config named a phone-home URL");
                return;
            }
            HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(URI.create(phoneHome)).timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"mac\":\"" + mac + "\"}")).build(),
                    HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() / 100 != 2) {
                set(boot, Status.FAILED, "phone-home refused: " + r.statusCode());
                return;
            }
            set(boot, Status.INSTALLED, "installed, phoned home");
        } catch (BootFailed e) {
            set(boot, Status.FAILED, "boot failed: " + e.getMessage());
        } catch (IOException e) {
            set(boot, Status.FAILED, "boot failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private enum Outcome { INSTALL, LOCAL_DISK }

    private static final class BootFailed extends Exception {
        BootFailed(String message) {
            super(message);
        }
    }

    /** Runs the iPXE commands that matter to a boot: fetches, chains, exit and boot. */
    private Outcome runScript(int boot, URI base, String script, List<String> configs, int depth)
            throws IOException, InterruptedException, BootFailed {
        if (!script.startsWith("#!ipxe")) throw new BootFailed("not an iPXE script: " + base);
        configs.add(script);
        boolean kernel = false;
        for (String raw : script.split("\n")) {
            String line = raw.strip().replace("${net0/mac}", mac).replace("${mac}", mac);
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(":")) continue;
            List<String> words = new ArrayList<>(List.of(line.split("\\s+")));
            String command = words.remove(0);
            words = withoutOptions(words);
            switch (command) {
                case "kernel", "imgexec" -> {
                    if (words.isEmpty()) throw new BootFailed("kernel without a URL");
                    fetchBinary(boot, base.resolve(words.get(0)));
                    kernel = true;
                    for (String arg : words.subList(1, words.size())) {
                        for (URI config : configUrls(base, arg)) configs.add(get(boot, config.toString()));
                    }
                }
                case "initrd", "imgfetch", "module" -> {
                    if (words.isEmpty()) throw new BootFailed(command + " without a URL");
                    fetchBinary(boot, base.resolve(words.get(0)));
                }
                case "chain" -> {
                    if (words.isEmpty()) throw new BootFailed("chain without a URL");
                    if (depth >= MAX_CHAIN) throw new BootFailed("too many chained scripts");
                    URI next = base.resolve(words.get(0));
                    return runScript(boot, next, get(boot, next.toString()), configs, depth + 1);
                }
                case "boot" -> {
                    if (!kernel) throw new BootFailed("boot without a kernel");
                    return Outcome.INSTALL;
                }
                case "exit" -> {
                    if (!words.isEmpty() && !words.get(0).equals("0")) throw new BootFailed("script exit " + words.get(0));
                    return Outcome.LOCAL_DISK;
                }
                case "sanboot" -> {
                    return Outcome.LOCAL_DISK;
                }
                default -> { } // echo, dhcp, set, sleep, ...: nothing a simulation needs
            }
        }
        if (kernel) return Outcome.INSTALL;
        throw new BootFailed("script ended without booting");
    }

    /** The words of a command without its options: "--name linux" and "-n linux" take a value, "--autofree" none. */
    private static List<String> withoutOptions(List<String> words) {
        List<String> out = new ArrayList<>();
        boolean commandLine = false; // after the image URL, everything is the kernel's command line
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            if (!commandLine && w.startsWith("-")) {
                boolean takesValue = !w.contains("=") && Set.of("--name", "-n", "--timeout", "-t").contains(w);
                if (takesValue) i++;
                continue;
            }
            commandLine = true;
            out.add(w);
        }
        return out;
    }

    /** Config URLs on a kernel command line: preseed, cloud-init NoCloud seed, or a plain url=. */
    private static List<URI> configUrls(URI base, String arg) {
        List<URI> urls = new ArrayList<>();
        for (String key : List.of("preseed/url=", "url=", "cloud-config-url=", "autoinstall-url=")) {
            if (arg.startsWith(key)) urls.add(base.resolve(arg.substring(key.length())));
        }
        int seed = arg.indexOf(";s=");
        if (arg.startsWith("ds=nocloud") && seed > 0) {
            String s = arg.substring(seed + 3);
            int query = s.indexOf('?');
            String dir = query < 0 ? s : s.substring(0, query);
            String rest = query < 0 ? "" : s.substring(query);
            if (!dir.endsWith("/")) dir += "/";
            urls.add(base.resolve(dir + "user-data" + rest));
            urls.add(base.resolve(dir + "meta-data" + rest));
        }
        return urls;
    }

    private String get(int boot, String url) throws IOException, InterruptedException, BootFailed {
        if (!current(boot)) throw new InterruptedException("powered off");
        record(url);
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (r.statusCode() != 200) throw new BootFailed("GET " + strip(url) + " -> " + r.statusCode());
        return r.body();
    }

    private void fetchBinary(int boot, URI url) throws IOException, InterruptedException, BootFailed {
        if (!current(boot)) throw new InterruptedException("powered off");
        record(url.toString());
        HttpResponse<InputStream> r = HTTP.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        byte[] head;
        try (InputStream in = r.body()) {
            head = in.readNBytes(64);
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        if (r.statusCode() != 200) throw new BootFailed("GET " + strip(url.toString()) + " -> " + r.statusCode());
        // A web page saved in place of a kernel or initrd (a download gone wrong): firmware cannot start it.
        String start = new String(head, StandardCharsets.ISO_8859_1).stripLeading();
        if (start.startsWith("<")) throw new BootFailed(strip(url.toString()) + " is not a boot image (a web page)");
    }

    private synchronized void record(String url) {
        fetched.add(strip(url));
    }

    /** URLs as recorded and reported: without the query, where tokens travel. */
    private static String strip(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }

    @Override
    public synchronized String toString() {
        return "machine " + mac + " " + status + " (" + detail + ")";
    }
}

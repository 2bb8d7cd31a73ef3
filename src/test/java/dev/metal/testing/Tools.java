package dev.metal.testing;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.metal.util.Json;
import dev.metal.util.Parallel;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The real programs the tests run, and the Debian packages they read. Something missing fails the
 * test with the package to install (never a skip): {@code ./test} installs and downloads all of it.
 */
public final class Tools {
    private Tools() {}

    public record Run(int exit, String output) {}

    /**
     * The installed program, from Debian's folders rather than PATH (which may hold other builds,
     * such as a pyenv python3); fails, naming the Debian package, when it is not installed.
     */
    public static Path require(String program, String debianPackage) {
        for (Path dir : programDirs()) {
            Path p = dir.resolve(program);
            if (Files.isExecutable(p)) return p;
        }
        return fail(program + " is not installed; install the Debian package " + debianPackage
                + " (./test installs everything the tests need)");
    }

    private static List<Path> programDirs() {
        List<Path> dirs = new ArrayList<>();
        for (String d : List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin", "/lib/systemd")) dirs.add(Path.of(d));
        // Debian keeps PostgreSQL's server programs (initdb, pg_ctl, postgres) out of PATH, a folder per version.
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            versions.map(v -> v.resolve("bin")).max(Comparator.comparing(Tools::version)).ifPresent(dirs::add);
        } catch (IOException e) {
            // no PostgreSQL installed
        }
        return dirs;
    }

    private static int version(Path bin) {
        String name = bin.getParent().getFileName().toString();
        return name.matches("\\d+") ? Integer.parseInt(name) : -1;
    }

    /**
     * The folder of .deb files that {@code ./test} downloads with apt-get download:
     * -Dmetal.debs, else $METAL_DEBS, else ~/.cache/metal/debs.
     */
    public static Path debs() {
        String dir = System.getProperty("metal.debs", System.getenv("METAL_DEBS"));
        if (dir == null || dir.isEmpty()) return Path.of(System.getProperty("user.home"), ".cache/metal/debs");
        return Path.of(dir);
    }

    /**
     * The downloaded .deb of a package, named with a glob where it carries a version
     * ("linux-image-*-cloud-amd64", "busybox-static"); the newest when there are several.
     */
    public static Path deb(String debianPackage) {
        Path dir = debs();
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + debianPackage + "_*.deb");
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> matcher.matches(f.getFileName()))
                    .max(Comparator.comparing(f -> f.toFile().lastModified()))
                    .orElseGet(() -> missingDeb(debianPackage, dir));
        } catch (IOException e) {
            return missingDeb(debianPackage, dir);
        }
    }

    private static Path missingDeb(String debianPackage, Path dir) {
        return fail("no " + debianPackage + " .deb in " + dir + "; ./test downloads it (apt-get download), "
                + "or set METAL_DEBS to a folder that has it");
    }

    public static Run run(List<String> command) {
        return run(command, Duration.ofSeconds(60));
    }

    public static Run run(List<String> command, Duration limit) {
        return run(command, Map.of(), limit);
    }

    public static Run run(List<String> command, Map<String, String> environment, Duration limit) {
        try {
            Path log = Files.createTempFile("tool", ".log");
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().putAll(environment);
            Process p = pb.start();
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                fail(command + " did not finish in " + limit.toSeconds() + " s");
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            Files.delete(log);
            return new Run(p.exitValue(), out);
        } catch (IOException e) {
            return fail("cannot run " + command + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted");
        }
    }

    public static Run run(String... command) {
        return run(new ArrayList<>(List.of(command)));
    }

    /** Runs each command, two at a time (the machine has two cores); results in the order given. */
    public static List<Run> runAll(List<List<String>> commands) {
        return Parallel.map(commands, 2, "render-tools", Tools::run);
    }

    /**
     * debconf-set-selections -c over the files, in one run with a debconf database of its
     * own: the system's is locked while anyone else's check runs, and then the check fails
     * without a word. Each file is read to its end on its own (a continued line stops there).
     * When the run fails, each file is checked alone, so that the answer names the files.
     */
    public static Run debconf(List<Path> files) {
        Path tool = require("debconf-set-selections", "debconf");
        Path db = null;
        try {
            db = Files.createTempDirectory("debconf");
            Files.writeString(db.resolve("debconf.conf"), String.join("\n", "Config: configdb", "Templates: templatedb", "",
                    "Name: configdb", "Driver: File", "Filename: " + db.resolve("config.dat"), "",
                    "Name: templatedb", "Driver: File", "Filename: " + db.resolve("templates.dat"), ""));
            Map<String, String> env = Map.of("DEBCONF_SYSTEMRC", db.resolve("debconf.conf").toString());
            List<String> command = new ArrayList<>(List.of(tool.toString(), "-c"));
            for (Path f : files) command.add(f.toString());
            Run all = run(command, env, Duration.ofSeconds(60));
            if (all.exit() == 0 || files.size() == 1) return all;
            StringBuilder out = new StringBuilder();
            for (Path f : files) {
                Run one = run(List.of(tool.toString(), "-c", f.toString()), env, Duration.ofSeconds(60));
                if (one.exit() != 0) out.append(f).append(":\n").append(one.output());
            }
            return new Run(all.exit(), out.toString());
        } catch (IOException e) {
            return fail("cannot make a debconf database: " + e.getMessage());
        } finally {
            if (db != null) {
                try (var s = Files.list(db)) {
                    for (Path p : s.toList()) Files.delete(p);
                    Files.delete(db);
                } catch (IOException e) {
                    // a temporary folder left behind is harmless
                }
            }
        }
    }

    /** What cloud-init made of one file: whether it took it, and what it said or read. */
    public record CloudInitResult(boolean ok, String output) {}

    /**
     * Has cloud-init read many files in one Python process (its start-up is most of a check's
     * time): user-data through the handler of 'cloud-init schema --config-file', the same code
     * the command runs, so the output is that command's ('Valid cloud-config: FILE'); a v2
     * network-config through cloud-init's own parser (cloud-init 22.4 has no schema for it),
     * answering each interface's name, MAC and addresses and the DNS servers; meta-data through
     * the YAML loader its NoCloud source uses, answering instance-id and local-hostname.
     */
    public static Map<Path, CloudInitResult> cloudInit(List<Path> userData, List<Path> networkConfig, List<Path> metaData) {
        require("cloud-init", "cloud-init");
        List<String> command = new ArrayList<>(List.of("/usr/bin/python3", "-c", String.join("\n",
                "import argparse, contextlib, io, json, sys, yaml",
                "from cloudinit import util",
                "from cloudinit.config.schema import handle_schema_args",
                "from cloudinit.net import network_state",
                "def user_data(path):",
                "    handle_schema_args('schema', argparse.Namespace(config_file=path, docs=None, system=False, annotate=False))",
                "def network_config(path):",
                "    ns = network_state.parse_net_config_data(yaml.safe_load(open(path)))",
                "    for i in sorted(ns.iter_interfaces(), key=lambda i: i['name']):",
                "        print(i['name'], i['mac_address'], ' '.join(s['address'] + '/' + str(s['prefix']) for s in i['subnets']))",
                "    print('dns', ' '.join(ns.dns_nameservers))",
                "def meta_data(path):",
                "    md = util.load_yaml(open(path).read())",
                "    if not isinstance(md, dict): raise ValueError('meta-data is not a YAML mapping')",
                "    print('instance-id', md['instance-id'])",
                "    print('local-hostname', md['local-hostname'])",
                "checks = {'user-data': user_data, 'network-config': network_config, 'meta-data': meta_data}",
                "for arg in sys.argv[1:]:",
                "    kind, path = arg.split(':', 1)",
                "    out = io.StringIO()",
                "    ok = True",
                "    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):",
                "        try:",
                "            checks[kind](path)",
                "        except SystemExit as e:",
                "            ok = e.code in (0, None)",
                "        except Exception as e:",
                "            ok = False",
                "            print(type(e).__name__ + ': ' + str(e))",
                "    print(json.dumps({'file': path, 'ok': ok, 'output': out.getvalue()}))")));
        for (Path p : userData) command.add("user-data:" + p);
        for (Path p : networkConfig) command.add("network-config:" + p);
        for (Path p : metaData) command.add("meta-data:" + p);
        Run run = run(command, Duration.ofSeconds(120));
        if (run.exit() != 0) fail("cloud-init's checks did not run:\n" + run.output());
        Map<Path, CloudInitResult> results = new LinkedHashMap<>();
        for (String line : run.output().lines().toList()) {
            if (!line.startsWith("{")) continue;
            try {
                JsonNode n = Json.mapper().readTree(line);
                results.put(Path.of(n.get("file").asText()), new CloudInitResult(n.get("ok").asBoolean(), n.get("output").asText()));
            } catch (IOException e) {
                fail("cannot read cloud-init's answer '" + line + "': " + e.getMessage());
            }
        }
        if (results.size() != command.size() - 3) fail("cloud-init answered for " + results.size() + " of "
                + (command.size() - 3) + " files:\n" + run.output());
        return results;
    }
}

package dev.metal.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Test helper: the shared mockups, and a rack CSV pointing hosts at emulators. */
public final class Fleet {
    private Fleet() {}

    public static Path mockups() {
        String shared = System.getProperty("metal.shared");
        if (shared == null) throw new IllegalStateException("system property metal.shared is not set (run through Maven)");
        return Path.of(shared, "redfish-mockups");
    }

    public static Path mockup(String name) {
        Path p = mockups().resolve(name);
        if (!Files.isDirectory(p)) throw new IllegalStateException("missing mockup " + p);
        return p;
    }

    /** Writes a rack CSV: hostname -> BMC address (URL), with unique made-up MACs, and imports nothing. */
    public static Path rackCsv(Path dir, Map<String, String> hostToAddress) throws IOException {
        StringBuilder b = new StringBuilder("hostname,rack,u,bmc_mac,bmc_address,bmc_user,bmc_password,mgmt_mac\n");
        int i = 1;
        for (Map.Entry<String, String> e : hostToAddress.entrySet()) {
            b.append(e.getKey()).append(",r1,").append(i).append(',')
                    .append(String.format("02:00:00:00:%02x:%02x", i / 256, i % 256)).append(',')
                    .append(e.getValue() == null ? "" : e.getValue()).append(",admin,password,")
                    .append(String.format("02:00:00:01:%02x:%02x", i / 256, i % 256)).append('\n');
            i++;
        }
        Path csv = dir.resolve("rack.csv");
        Files.writeString(csv, b.toString());
        return csv;
    }

    public static Map<String, String> one(String host, RedfishEmulator emu) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(host, emu.address());
        return m;
    }
}

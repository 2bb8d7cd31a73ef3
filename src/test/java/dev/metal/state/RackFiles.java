package dev.metal.state;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Generated rack CSVs for tests and benchmarks: unique names and MACs per (batch, row). */
public final class RackFiles {
    private RackFiles() {}

    public static Path write(Path file, int batch, int rows) throws IOException {
        StringBuilder b = new StringBuilder("hostname,rack,u,bmc_mac,bmc_address,bmc_user,bmc_password,mgmt_mac\n");
        for (int i = 0; i < rows; i++) {
            String mac = String.format("02:%02x:%02x:%02x:00", batch, (i >> 8) & 0xff, i & 0xff);
            b.append(String.format("b%d-n%05d,rack%02d,%d,%s:01,10.%d.%d.%d,admin,env:PW,%s:02%n",
                    batch, i, i % 40, 1 + i % 42, mac, batch, (i >> 8) & 0xff, i & 0xff, mac));
        }
        Files.writeString(file, b);
        return file;
    }
}

package dev.metal.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The version from a resource the build fills in from the pom, so that it is set in one place. */
public final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"metal " + version()};
    }

    public static String version() {
        Properties p = new Properties();
        try (InputStream in = VersionProvider.class.getResourceAsStream("/dev/metal/version.properties")) {
            if (in != null) p.load(in);
        } catch (IOException ignored) {
            // fall through to "dev"
        }
        return p.getProperty("version", "dev");
    }
}

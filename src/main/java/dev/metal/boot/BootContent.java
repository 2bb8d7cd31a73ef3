package dev.metal.boot;

import dev.metal.model.Host;
import dev.metal.model.Site;
import java.util.List;

/**
 * What the boot server hands out for a host. The renderer implements it with the host's
 * templates; the server only routes, authenticates and streams. Every URL a script or
 * config names should come from {@link BootUrls}, so that it carries the host's token.
 */
public interface BootContent {
    /**
     * The iPXE script that installs {@code host}: kernel, initrd and a config URL with the token.
     * {@code site} is the site plan of the state the host was read from (null when none is set).
     */
    String ipxeScript(Host host, Site site, String baseUrl, String token);

    /** The script for a known host that is not provisioning: leave iPXE and boot the local disk. */
    default String localDiskScript(Host host) {
        return "#!ipxe\necho " + host.hostname() + ": not provisioning, booting from local disk\nexit 0\n";
    }

    /** The same boot as {@link #ipxeScript}, in Pixiecore's API-mode form. */
    PixiecoreBoot pixiecore(Host host, Site site, String baseUrl, String token);

    /** A config file by kind (preseed, networkd, cloud-init, ...), or null when the host has none of that kind. */
    String config(Host host, Site site, String kind, String baseUrl, String token);

    /** Pixiecore's answer to {@code GET /v1/boot/<mac>}. */
    record PixiecoreBoot(String kernel, List<String> initrd, String cmdline) {}
}

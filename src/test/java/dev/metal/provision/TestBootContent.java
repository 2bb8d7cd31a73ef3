package dev.metal.provision;

import dev.metal.boot.BootContent;
import dev.metal.boot.BootUrls;
import dev.metal.model.Host;
import dev.metal.model.Site;
import java.util.List;

/** Boot content shaped like the renderer's: a Debian netboot with a preseed that phones home. */
public class TestBootContent implements BootContent {
    @Override
    public String ipxeScript(Host host, Site site, String baseUrl, String token) {
        return "#!ipxe\n"
                + "echo installing " + host.hostname() + "\n"
                + "kernel " + BootUrls.file(baseUrl, "debian/linux") + " auto=true priority=critical"
                + " preseed/url=" + BootUrls.config(baseUrl, host.hostname(), "preseed", token) + " ---\n"
                + "initrd " + BootUrls.file(baseUrl, "debian/initrd.gz") + "\n"
                + "boot\n";
    }

    @Override
    public PixiecoreBoot pixiecore(Host host, Site site, String baseUrl, String token) {
        return new PixiecoreBoot(BootUrls.file(baseUrl, "debian/linux"),
                List.of(BootUrls.file(baseUrl, "debian/initrd.gz")),
                "auto=true preseed/url=" + BootUrls.config(baseUrl, host.hostname(), "preseed", token));
    }

    @Override
    public String config(Host host, Site site, String kind, String baseUrl, String token) {
        return switch (kind) {
            case "preseed" -> "d-i netcfg/get_hostname string " + host.hostname() + "\n"
                    + "d-i preseed/late_command string in-target curl -fsS -X POST '"
                    + BootUrls.phoneHome(baseUrl, host.hostname(), token) + "'\n";
            case "networkd" -> "[Match]\nMACAddress=" + host.mgmtMac() + "\n[Network]\nDHCP=yes\n";
            default -> null;
        };
    }
}

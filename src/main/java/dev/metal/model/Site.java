package dev.metal.model;

import java.util.List;
import java.util.Map;

/**
 * The site plan: where hosts get their addresses, names and BGP numbers, and what an OS
 * install boots. Read from a YAML file by {@code metal site set} and kept in the state.
 *
 * @param bootUrl   base URL of the boot server; iPXE scripts and phone-home URLs start with it
 * @param nics      which profile NIC name carries each host network ("public", "mgmt")
 * @param firstHost offset of the first host address in every rack subnet (room for gateways)
 * @param racks     in file order; a ToR's ASN is {@code asn.tor} + its rack's position
 */
public record Site(String name, String domain, String bootUrl, List<String> dns, List<String> sshKeys,
                   Map<String, String> nics, int firstHost, Asn asn, Fabric fabric, List<Rack> racks,
                   Map<String, Os> os) {

    public Site {
        dns = dns == null ? List.of() : List.copyOf(dns);
        sshKeys = sshKeys == null ? List.of() : List.copyOf(sshKeys);
        racks = racks == null ? List.of() : List.copyOf(racks);
    }

    /** BGP numbers: spines share one, each ToR has {@code tor} + rack position, servers count up from {@code server}. */
    public record Asn(long spine, long tor, long server) {}

    /** One host network in one rack; IPv6 is optional. */
    public record Network(String ipv4, String gateway4, String ipv6, String gateway6) {}

    /** A rack: its ToR switch's name and its three networks. */
    public record Rack(String name, String tor, Network publicNet, Network mgmt, Network bmc) {}

    /** The BGP fabric: router-id pool, spine names and the ports BGP unnumbered peers on per role. */
    public record Fabric(String loopbacks, List<String> spines, List<String> serverPorts, List<String> torPorts,
                         List<String> spinePorts) {}

    /**
     * An OS catalog entry: what iPXE loads and where the installer or image comes from.
     * An entry of kind image has {@code image} (a URL, or a file under the boot server's files
     * folder, ending .raw, .raw.gz or .raw.xz) and its {@code sha256}: iPXE loads metal's agent,
     * which streams the image onto the boot disk. {@code rootPartition} is the image's root
     * partition number, or null for the agent to find it.
     */
    public record Os(String kernel, String initrd, String cmdline, String image, String sha256,
                     Integer rootPartition, String installer) {
        /** An installer entry (no image). */
        public Os(String kernel, String initrd, String cmdline, String installer) {
            this(kernel, initrd, cmdline, null, null, null, installer);
        }

        /** Whether the agent writes an image, rather than an installer installing. */
        public boolean hasImage() {
            return image != null;
        }

        /** The image's compression as the agent names its decompressor: raw, gz or xz. */
        public String imageFormat() {
            if (image == null) return null;
            String path = image.replaceAll("[?#].*$", "");
            return path.endsWith(".raw.gz") ? "gz" : path.endsWith(".raw.xz") ? "xz" : "raw";
        }

        /** Whether {@code image} is a file under the boot server's files folder rather than a URL. */
        public boolean imageIsFile() {
            return image != null && !image.matches("(?i)https?://.*");
        }
    }

    public Rack rack(String rackName) {
        for (Rack r : racks) if (r.name().equals(rackName)) return r;
        return null;
    }

    public int rackIndex(String rackName) {
        for (int i = 0; i < racks.size(); i++) if (racks.get(i).name().equals(rackName)) return i;
        return -1;
    }
}

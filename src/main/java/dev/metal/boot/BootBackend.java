package dev.metal.boot;

import dev.metal.model.Host;
import dev.metal.model.Site;
import java.util.Map;

/**
 * What the boot server reads and records, and nothing more: the server routes,
 * authenticates and streams; a workflow keeps the state behind this.
 */
public interface BootBackend {
    /** The host with this MAC (management MAC, or a NIC its profile match named), or null. */
    Host hostByMac(String mac);

    /** The host of this name, or null. */
    Host host(String hostname);

    /** The site plan, or null before 'metal site set'. */
    Site site();

    /**
     * Records that the host's installed system phoned home from {@code from}, if {@code token}
     * is still the token of its provisioning; false when that provisioning has ended meanwhile.
     */
    boolean recordPhoneHome(String hostname, String token, String from);

    /**
     * Records how far the host's provisioning got: {@code stage} is one of {@link BootServer#STAGES}
     * ("script" when its iPXE script was served; the others the agent or the script reports),
     * {@code reason} what it said (may be null). Under the same condition as a phone-home:
     * false when {@code token} is not the token of the provisioning in progress.
     */
    boolean recordReport(String hostname, String token, String stage, String reason, Map<String, Object> detail);

    /** Journals a refused request (never with its token); {@code hostname} null when no host was known. */
    void journalRefusal(String hostname, Map<String, Object> detail);
}

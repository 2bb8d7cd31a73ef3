package dev.metal.boot;

import dev.metal.model.Host;
import dev.metal.model.HostState;
import dev.metal.model.Provisioning;
import dev.metal.util.Secrets;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Checks per-host boot tokens ({@link dev.metal.model.Secret#randomToken}), valid while one provisioning lasts. */
public final class BootTokens {
    /** Compared against when a host has no token, so that the answer takes the same time. */
    private static final byte[] NONE = new byte[43];

    private BootTokens() {}

    /** The token of the host's provisioning in progress, or null when none is in progress. */
    public static String live(Host host) {
        Provisioning p = host.provisioning();
        return host.state() == HostState.PROVISIONING && p != null && p.token() != null ? Secrets.resolve(p.token()) : null;
    }

    /** True when {@code given} is the token of the host's current provisioning. */
    public static boolean valid(Host host, String given) {
        String live = live(host);
        byte[] expected = live != null ? live.getBytes(StandardCharsets.UTF_8) : NONE;
        byte[] actual = given == null ? new byte[0] : given.getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected, actual) && live != null && given != null;
    }
}

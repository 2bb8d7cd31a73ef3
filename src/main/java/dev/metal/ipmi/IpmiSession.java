package dev.metal.ipmi;

import dev.metal.util.Log;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import org.metricshub.ipmi.core.api.async.ConnectionHandle;
import org.metricshub.ipmi.core.api.sync.IpmiConnector;
import org.metricshub.ipmi.core.coding.PayloadCoder;
import org.metricshub.ipmi.core.coding.commands.IpmiVersion;
import org.metricshub.ipmi.core.coding.commands.PrivilegeLevel;
import org.metricshub.ipmi.core.coding.commands.ResponseData;
import org.metricshub.ipmi.core.coding.commands.chassis.GetChassisStatus;
import org.metricshub.ipmi.core.coding.commands.chassis.GetChassisStatusResponseData;
import org.metricshub.ipmi.core.coding.commands.session.SetSessionPrivilegeLevel;
import org.metricshub.ipmi.core.coding.payload.CompletionCode;
import org.metricshub.ipmi.core.coding.payload.lan.IPMIException;
import org.metricshub.ipmi.core.coding.payload.lan.NetworkFunction;
import org.metricshub.ipmi.core.coding.protocol.AuthenticationType;
import org.metricshub.ipmi.core.coding.security.CipherSuite;
import org.metricshub.ipmi.core.common.PropertiesManager;
import org.metricshub.ipmi.core.connection.Connection;

/**
 * One IPMI 2.0 (RMCP+, "lanplus") session with one BMC, at administrator level.
 *
 * <p>Opening skips Get Channel Cipher Suites (ipmi_sim and some BMCs never answer it) and
 * goes straight to cipher suite 3 (RAKP-HMAC-SHA1, HMAC-SHA1-96, AES-CBC-128), as
 * ipmitool does after its warning. The session starts at user level, so it is raised
 * with Set Session Privilege Level before any Chassis Control.
 *
 * <p>Time is bounded: each message waits {@code messageTimeout} and is sent at most
 * {@code retries + 1} times. ipmi-java does not resend the session handshake, so a lost
 * handshake packet makes the whole open start over, again at most {@code retries + 1}
 * times. A wrong user or password is not retried.
 */
public final class IpmiSession implements AutoCloseable {
    public static final int CHASSIS_GET_BOOT_OPTIONS = 0x09;
    public static final int CHASSIS_SET_BOOT_OPTIONS = 0x08;
    public static final int CHASSIS_CONTROL = 0x02;

    /** How long to wait for one answer, how often to try, and where diagnostics go. */
    public record Options(Duration messageTimeout, int retries, Log log) {
        public static final Options DEFAULT = new Options(Duration.ofSeconds(1), 3);

        public Options {
            if (messageTimeout.toMillis() < 1) throw new IllegalArgumentException("message timeout must be positive");
            if (retries < 0) throw new IllegalArgumentException("retries must not be negative");
        }

        public Options(Duration messageTimeout, int retries) {
            this(messageTimeout, retries, Log.stderr());
        }

        public Options withLog(Log value) {
            return new Options(messageTimeout, retries, value);
        }
    }

    /** Pause before a resend; ipmi-java waits a random time below this. */
    private static final int IDLE_MILLIS = 200;

    private final IpmiConnector connector;
    private final ConnectionHandle handle;
    private final String where;
    private final Options options;
    private boolean closed;

    private IpmiSession(IpmiConnector connector, ConnectionHandle handle, String where, Options options) {
        this.connector = connector;
        this.handle = handle;
        this.where = where;
        this.options = options;
    }

    /**
     * Opens a session; throws {@link IpmiException.AuthenticationFailed} on a wrong user or
     * password and {@link IpmiException} naming {@code host:port} on anything else.
     */
    public static IpmiSession open(String host, int port, String user, String password, Options options) {
        String where = host + ":" + port;
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IpmiException("IPMI " + where + ": unknown host " + host);
        }
        IpmiException last = null;
        for (int attempt = 1; attempt <= options.retries() + 1; attempt++) {
            try {
                return openOnce(address, port, user, password, options, where);
            } catch (IpmiException.AuthenticationFailed e) {
                throw e;
            } catch (IpmiException e) {
                last = e;
                options.log().debug(e.getMessage() + " (attempt " + attempt + " of " + (options.retries() + 1) + ")");
            }
        }
        throw last;
    }

    private static IpmiSession openOnce(InetAddress address, int port, String user, String password, Options options,
                                        String where) {
        IpmiConnector connector = newConnector(options);
        try {
            CipherSuite suite = Connection.getDefaultCipherSuite();
            ConnectionHandle handle = connector.createConnection(address, port, suite, PrivilegeLevel.Administrator);
            connector.setTimeout(handle, (int) options.messageTimeout().toMillis());
            try {
                connector.openSession(handle, user, password, null);
            } catch (Exception e) {
                throw openFailure(e, where, user, options);
            }
            IpmiSession session = new IpmiSession(connector, handle, where, options);
            try {
                session.send("Set Session Privilege Level", new SetSessionPrivilegeLevel(IpmiVersion.V20,
                        handle.getCipherSuite(), AuthenticationType.RMCPPlus, PrivilegeLevel.Administrator));
            } catch (IpmiException e) {
                session.close();
                throw e;
            }
            return session;
        } catch (IpmiException e) {
            connector.tearDown();
            throw e;
        } catch (Exception e) {
            connector.tearDown();
            throw new IpmiException("IPMI " + where + ": cannot open a session: " + describe(e), e);
        }
    }

    /**
     * ipmi-java reads its timeouts from a process-wide properties object when a connector
     * or connection is made; set them under one lock so parallel sessions do not race.
     */
    private static synchronized IpmiConnector newConnector(Options options) {
        PropertiesManager properties = PropertiesManager.getInstance();
        properties.setProperty("timeout", Long.toString(options.messageTimeout().toMillis()));
        // No retries inside ipmi-java: its session-open retry cannot work (the first failure
        // leaves the handshake in a state the retry refuses, hiding the real cause, such as a
        // wrong password), so this class resends and reopens itself.
        properties.setProperty("retries", "0");
        properties.setProperty("idleTime", Integer.toString(IDLE_MILLIS));
        try {
            // Local port 0: any free port; ping period 0: no keep-alive thread for a short session.
            return new IpmiConnector(0, 0L);
        } catch (Exception e) {
            throw new IpmiException("cannot open a UDP socket for IPMI: " + e.getMessage(), e);
        }
    }

    private static IpmiException openFailure(Exception e, String where, String user, Options options) {
        String text = describe(e);
        // ipmi-java reports a RAKP 2 whose HMAC does not match the password as
        // "Authentication check failed"; a BMC that rejects the user name answers a status code.
        if (e instanceof IPMIException ipmi && isAuthCode(ipmi.getCompletionCode())
                || text.contains("Authentication check failed") || text.contains("nauthorized")) {
            return new IpmiException.AuthenticationFailed("IPMI " + where + ": the BMC refused user '" + user
                    + "' or its password (" + text + ")");
        }
        if (text.contains("timed out")) {
            return new IpmiException("IPMI " + where + ": no answer within " + options.messageTimeout().toMillis()
                    + " ms while opening a session");
        }
        return new IpmiException("IPMI " + where + ": cannot open a session: " + text, e);
    }

    private static boolean isAuthCode(CompletionCode code) {
        return code == CompletionCode.UnauthorizedName || code == CompletionCode.InvalidIntegrityCheckValue
                || code == CompletionCode.UnauthorizedRole || code == CompletionCode.InvalidRole;
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    /** Get Chassis Status: is the power on. */
    public boolean powerOn() {
        ResponseData data = send("Get Chassis Status",
                new GetChassisStatus(IpmiVersion.V20, handle.getCipherSuite(), AuthenticationType.RMCPPlus));
        return ((GetChassisStatusResponseData) data).isPowerOn();
    }

    public void chassisControl(ChassisControl control) {
        raw("Chassis Control " + control, NetworkFunction.ChassisRequest, CHASSIS_CONTROL, (byte) control.code);
    }

    /** Get System Boot Options, parameter 5. */
    public BootFlags bootFlags() {
        RawCommand.Response r = raw("Get System Boot Options", NetworkFunction.ChassisRequest,
                CHASSIS_GET_BOOT_OPTIONS, (byte) BootFlags.PARAMETER, (byte) 0, (byte) 0);
        // Answer: parameter version, parameter number (bit 7: invalid/locked), then the data.
        if (r.data().length < 2 + 2) {
            throw new IpmiException("IPMI " + where + ": boot options answer too short");
        }
        if ((r.unsigned(1) & 0x7f) != BootFlags.PARAMETER) {
            throw new IpmiException("IPMI " + where + ": boot options answer is for parameter " + (r.unsigned(1) & 0x7f));
        }
        byte[] flags = java.util.Arrays.copyOfRange(r.data(), 2, r.data().length);
        return BootFlags.decode(flags);
    }

    /** Set System Boot Options, parameter 5. */
    public void setBootFlags(BootFlags flags) {
        byte[] body = flags.encode();
        byte[] data = new byte[body.length + 1];
        data[0] = (byte) BootFlags.PARAMETER;
        System.arraycopy(body, 0, data, 1, body.length);
        raw("Set System Boot Options", NetworkFunction.ChassisRequest, CHASSIS_SET_BOOT_OPTIONS, data);
    }

    private RawCommand.Response raw(String what, NetworkFunction function, int command, byte... data) {
        return (RawCommand.Response) send(what, new RawCommand(handle.getCipherSuite(), function, command, data));
    }

    /**
     * Sends one request and waits for its answer, sending it again when no answer comes
     * or the BMC says it is busy. A resent Chassis Control may act twice on a BMC whose
     * answer was lost; callers confirm by reading back, not by counting.
     */
    private ResponseData send(String what, PayloadCoder request) {
        Exception last = null;
        for (int attempt = 1; attempt <= options.retries() + 1; attempt++) {
            try {
                return connector.sendMessage(handle, request);
            } catch (IPMIException e) {
                if (!isBusy(e.getCompletionCode())) {
                    throw new IpmiException("IPMI " + where + ": " + what + " failed: " + e.getMessage()
                            + " (completion code 0x" + Integer.toHexString(e.getCompletionCode().getCode()) + ")", e);
                }
                last = e;
            } catch (IllegalArgumentException e) {
                throw new IpmiException("IPMI " + where + ": " + what + " failed: " + describe(e), e);
            } catch (Exception e) {
                last = e;
            }
            options.log().debug("IPMI " + where + ": " + what + ": no answer, try " + attempt + " of " + (options.retries() + 1));
            pause();
        }
        String cause = last instanceof IPMIException busy ? busy.getMessage() : "no answer";
        throw new IpmiException("IPMI " + where + ": " + what + " failed: " + cause + " after "
                + (options.retries() + 1) + " tries of " + options.messageTimeout().toMillis() + " ms", last);
    }

    private static boolean isBusy(CompletionCode code) {
        return code == CompletionCode.NodeBusy || code == CompletionCode.Timeout
                || code == CompletionCode.InsufficientResources || code == CompletionCode.InitializationInProgress;
    }

    private static void pause() {
        try {
            Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextInt(IDLE_MILLIS / 2, IDLE_MILLIS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IpmiException("interrupted");
        }
    }

    /** Closes the BMC session (the BMC has only a few slots) and the local socket. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            connector.closeSession(handle);
        } catch (Exception e) {
            options.log().debug("IPMI " + where + ": closing the session: " + describe(e));
        } finally {
            connector.tearDown();
        }
    }
}

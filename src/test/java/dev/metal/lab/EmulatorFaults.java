package dev.metal.lab;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Faults the tests inject into one emulated BMC: paths that fail, hang, answer garbage or redirect forever. */
public final class EmulatorFaults implements RedfishEmulator.Fault {
    private final Map<String, Integer> failures = new ConcurrentHashMap<>();
    private final Set<String> hanging = ConcurrentHashMap.newKeySet();
    private final Set<String> malformed = ConcurrentHashMap.newKeySet();
    private final Set<String> redirecting = ConcurrentHashMap.newKeySet();

    private EmulatorFaults() {}

    /** Faults in front of {@code bmc}'s requests. */
    public static EmulatorFaults on(RedfishEmulator bmc) {
        EmulatorFaults faults = new EmulatorFaults();
        bmc.addFault(faults);
        return faults;
    }

    /** Requests to this URI answer with this status (500, 503, 404...), before authentication. */
    public EmulatorFaults failPath(String uri, int status) {
        failures.put(RedfishEmulator.key(uri), status);
        return this;
    }

    /** Requests to this URI never answer (until the emulator closes). */
    public EmulatorFaults hangPath(String uri) {
        hanging.add(RedfishEmulator.key(uri));
        return this;
    }

    /** Requests to this URI answer 200 with a body that is not JSON. */
    public EmulatorFaults malformedPath(String uri) {
        malformed.add(RedfishEmulator.key(uri));
        return this;
    }

    /** Requests to this URI redirect to themselves, forever. */
    public EmulatorFaults redirectLoop(String uri) {
        redirecting.add(RedfishEmulator.key(uri));
        return this;
    }

    @Override
    public boolean beforeLogin(RedfishEmulator bmc, HttpExchange ex, String key) throws IOException {
        if (hanging.contains(key)) {
            bmc.hang();
            return true;
        }
        if (redirecting.contains(key)) {
            ex.getResponseHeaders().set("Location", ex.getRequestURI().getPath());
            ex.sendResponseHeaders(302, -1);
            return true;
        }
        Integer fail = failures.get(key);
        if (fail != null) {
            bmc.answerError(ex, fail, "injected failure");
            return true;
        }
        return false;
    }

    @Override
    public boolean afterLogin(RedfishEmulator bmc, HttpExchange ex, String key) throws IOException {
        if (!malformed.contains(key)) return false;
        String body = "{\"@odata.id\": \"" + ex.getRequestURI().getPath() + "\", \"Name\": \"trunc";
        bmc.answerRaw(ex, 200, body.getBytes(StandardCharsets.UTF_8));
        return true;
    }
}

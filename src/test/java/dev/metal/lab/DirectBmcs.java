package dev.metal.lab;

import dev.metal.bmc.BmcProvider;
import dev.metal.bmc.BmcSession;
import dev.metal.bmc.BootDevice;
import dev.metal.bmc.BootOverride;
import dev.metal.bmc.PowerAction;
import dev.metal.bmc.PowerState;
import dev.metal.bmc.Protocol;
import dev.metal.model.BmcException;
import dev.metal.model.Host;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * In-process BMCs in front of lab {@link Machine}s, with no protocol in between: what the
 * workflow's tests and benchmarks drive when the protocol is not what they measure. A
 * BMC keeps the boot override like a real one (once: used by the next power-on, then
 * cleared) and notes when each command arrives. It stands where Redfish would.
 */
public final class DirectBmcs implements BmcProvider {
    /** What an injected BMC fault breaks. */
    public enum Fault { UNREACHABLE, POWER_FAILS }

    /** A command that reached a BMC: which host, what, and System.nanoTime() on arrival. */
    public record Arrival(String host, String command, long nanoTime) {}

    private final Map<String, Bmc> bmcs = new ConcurrentHashMap<>();
    private final List<Arrival> arrivals = new ArrayList<>();

    /** Puts {@code machine} behind the BMC of {@code hostname}. */
    public DirectBmcs add(String hostname, Machine machine, Fault... faults) {
        bmcs.put(hostname, new Bmc(hostname, machine, List.of(faults)));
        return this;
    }

    public Machine machine(String hostname) {
        Bmc b = bmcs.get(hostname);
        return b == null ? null : b.machine;
    }

    public synchronized List<Arrival> arrivals() {
        return List.copyOf(arrivals);
    }

    private synchronized void arrived(String host, String command) {
        arrivals.add(new Arrival(host, command, System.nanoTime()));
    }

    @Override
    public Protocol protocol() {
        return Protocol.REDFISH;
    }

    @Override
    public BmcSession open(Host host, String pin) {
        Bmc bmc = bmcs.get(host.hostname());
        if (bmc == null || bmc.faults.contains(Fault.UNREACHABLE)) {
            throw new BmcException(host.hostname() + ": BMC " + host.bmc().address() + " does not answer");
        }
        return bmc.new Session();
    }

    private final class Bmc {
        final String hostname;
        final Machine machine;
        final List<Fault> faults;
        BootOverride override = new BootOverride(BootDevice.NONE, false, true);
        BootDevice persistent = BootDevice.DISK;

        Bmc(String hostname, Machine machine, List<Fault> faults) {
            this.hostname = hostname;
            this.machine = machine;
            this.faults = faults;
        }

        /** The device of the next boot; a one-time override is used up by it. */
        synchronized BootDevice nextBoot() {
            BootOverride o = override;
            if (o.device() == BootDevice.NONE) return persistent;
            if (!o.persistent()) override = new BootOverride(BootDevice.NONE, false, o.uefi());
            return o.device();
        }

        final class Session implements BmcSession {
            @Override
            public PowerState powerState() {
                return machine.powerState();
            }

            @Override
            public void power(PowerAction action) {
                arrived(hostname, "power " + action.name().toLowerCase());
                if (faults.contains(Fault.POWER_FAILS)) {
                    throw new BmcException(hostname + ": BMC refused power " + action.name().toLowerCase());
                }
                switch (action) {
                    case STATUS -> { }
                    case ON -> {
                        if (machine.powerState() == PowerState.OFF) machine.powerOn(nextBoot());
                    }
                    case OFF, SOFT -> machine.powerOff();
                    case CYCLE, RESET -> {
                        machine.powerOff();
                        machine.powerOn(nextBoot());
                    }
                }
            }

            @Override
            public BootOverride bootOverride() {
                synchronized (Bmc.this) {
                    return override;
                }
            }

            @Override
            public void setBootOverride(BootOverride o) {
                arrived(hostname, "boot " + o.device().name().toLowerCase());
                synchronized (Bmc.this) {
                    override = o;
                    if (o.persistent()) persistent = o.device();
                }
            }

            @Override
            public void close() {
            }
        }
    }
}

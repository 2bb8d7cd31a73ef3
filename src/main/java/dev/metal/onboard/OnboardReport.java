package dev.metal.onboard;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;

/**
 * What 'metal onboard' found: every host of the rack CSV in rack and U order, ready or
 * faulty (with the fault in words), and the DHCP reservation files it wrote.
 *
 * @param ready  hosts that are ready (or further: provisioning, active)
 * @param faulty hosts to pull or fix, each with its fault
 */
public record OnboardReport(String file, List<HostLine> hosts, long ready, long faulty, Reservations reservations) {

    /**
     * One host. {@code status} is "ready" or "faulty"; {@code step} is where a faulty host
     * stopped (lease, scrape, match, reservation) and "done" for a ready one; {@code faults}
     * say what is wrong, each in words, empty for a ready host.
     */
    public record HostLine(String hostname, String rack, int u, String status, String state, String profile,
                           String step, List<String> faults) {
        public HostLine {
            faults = faults == null ? List.of() : List.copyOf(faults);
        }

        @JsonIgnore
        public boolean isReady() {
            return STATUS_READY.equals(status);
        }
    }

    /** The DHCP reservation files, in the formats 'metal render dhcp' writes, in {@code dir}. */
    public record Reservations(String dir, List<String> files) {}

    public static final String STATUS_READY = "ready";
    public static final String STATUS_FAULTY = "faulty";
}

package dev.metal.bmc;

/** Reads and sets the device a server boots from next (or always). */
public interface BootControl {
    BootOverride bootOverride();

    void setBootOverride(BootOverride override);

    /**
     * Whether {@code readBack}, read after setting {@code wanted}, shows that the override
     * took. Exact equality here; a protocol whose BMCs keep only part of it refines this.
     */
    default boolean shows(BootOverride wanted, BootOverride readBack) {
        return wanted.equals(readBack);
    }
}

package dev.metal.bmc;

/** Reads and changes a server's power. */
public interface PowerControl {
    PowerState powerState();

    /** Sends the action; confirmation (reading back) is the caller's job. */
    void power(PowerAction action);
}

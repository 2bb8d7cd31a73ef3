package dev.metal.ipmi;

/**
 * The Chassis Control actions (IPMI 2.0 section 28.3). ipmi-java's own PowerCommand has
 * only down, up and hard reset; cycle and soft shutdown are needed too.
 */
public enum ChassisControl {
    POWER_DOWN(0x0), POWER_UP(0x1), POWER_CYCLE(0x2), HARD_RESET(0x3), SOFT_SHUTDOWN(0x5);

    final int code;

    ChassisControl(int code) {
        this.code = code;
    }
}

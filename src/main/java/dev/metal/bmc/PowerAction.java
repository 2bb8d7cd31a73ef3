package dev.metal.bmc;

/** What {@code metal power} can ask of a BMC. */
public enum PowerAction { STATUS, ON, OFF, SOFT, CYCLE, RESET }

package dev.metal.bmc;

/** A server's power as its BMC reports it. */
public enum PowerState { ON, OFF, UNKNOWN }

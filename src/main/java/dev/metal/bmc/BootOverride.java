package dev.metal.bmc;

/** A boot device override: once (the next boot only) or persistent, UEFI or legacy. */
public record BootOverride(BootDevice device, boolean persistent, boolean uefi) {}

package dev.metal.bmc;

/** The boot devices metal sets; NONE means no override is in effect. */
public enum BootDevice { PXE, DISK, BIOS, CDROM, NONE }

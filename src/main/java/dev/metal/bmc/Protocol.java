package dev.metal.bmc;

/** How metal talks to a BMC; AUTO prefers Redfish and falls back to IPMI. */
public enum Protocol { REDFISH, IPMI, AUTO }

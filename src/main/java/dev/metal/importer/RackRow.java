package dev.metal.importer;

import java.util.List;

/** One valid row of a rack CSV, with its line number for messages. */
public record RackRow(int line, String hostname, String rack, int u, String bmcMac, String bmcAddress,
                      String bmcUser, String bmcPassword, int ipmiPort, String mgmtMac, String serial,
                      List<String> tags) {}

package dev.metal.cli;

import dev.metal.util.Json;
import dev.metal.workflow.HostService;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "ansible", description = "metal's hosts for Ansible.",
        subcommands = {AnsibleCommand.Inventory.class})
public final class AnsibleCommand {

    @Command(name = "inventory", description = {
        "metal's hosts as an Ansible dynamic inventory (--list, --host NAME).",
        "Point 'ansible -i' at samples/ansible/metal-inventory, a script that runs",
        "it. It prints JSON, with or without --json.",
        "",
        "--list prints every group with its hosts and children, and every host's",
        "variables under _meta.hostvars, so that Ansible never asks --host.",
        "Groups: rack_R, profile_P, state_S and tag_T, the children of racks,",
        "profiles, states and tags. In a group name every character other than an",
        "ASCII letter, digit or _ becomes _ (rack lab-r1: group rack_lab_r1).",
        "",
        "Host variables are snake_case, as Ansible's are (metal's --json is camelCase):",
        "rack, u, state, tags and profile; bmc (address, mac); the addresses of",
        "'metal site set' by network (addresses.public, .mgmt, .bmc: nic, and ipv4",
        "and ipv6 with address, prefix and gateway) and addresses.bgp.asn; nics.NAME",
        "(mac, slot, port, speed in Mb/s) and drive_bays.NAME (bay, device_model,",
        "serial_number, by_id_path, capacity in bytes, boot), named as in the matched",
        "profile.",
        "",
        "device_model and serial_number are spelled as udev spells them in by-id",
        "names: /dev/disk/by-id/nvme-{{ drive_bays.DiskBay0.device_model }}_{{",
        "drive_bays.DiskBay0.serial_number }} is that drive's path.",
        "No password or token is ever included."})
    static final class Inventory extends BaseCommand {
        @ArgGroup(exclusive = true, multiplicity = "1")
        Mode mode;

        static final class Mode {
            @Option(names = "--list", required = true, description = "Every group and every host's variables.")
            boolean list;

            @Option(names = "--host", paramLabel = "NAME", required = true, description = "One host's variables.")
            String host;
        }

        @Override
        protected Result execute() {
            Object inventory = new HostService(store()).ansibleInventory(mode.host);
            return new Result() {
                @Override
                public Object json() {
                    return inventory;
                }

                @Override
                public void print(PrintWriter out) {
                    try {
                        out.println(Json.mapper().writeValueAsString(inventory));
                    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            };
        }
    }
}

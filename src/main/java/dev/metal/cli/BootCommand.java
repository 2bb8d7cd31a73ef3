package dev.metal.cli;

import dev.metal.bmc.BootDevice;
import dev.metal.bmc.BootOverride;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "boot", description = {"Set the device hosts boot from next (or always, with --persistent).",
    "Each override is read back. Hosts in state active are refused unless --force."},
        subcommands = {BootCommand.Pxe.class, BootCommand.Disk.class, BootCommand.Bios.class, BootCommand.Cdrom.class})
public final class BootCommand {

    abstract static class Device extends BaseCommand {
        @Mixin
        HostOptions hosts;

        @Option(names = "--persistent", description = "Every boot from now on, not only the next one.")
        boolean persistent;

        @Option(names = "--uefi", description = "UEFI boot (default: legacy BIOS).")
        boolean uefi;

        @Mixin
        PowerOptions options;

        abstract BootDevice device();

        @Override
        public Map<String, String> defaults() {
            return PowerOptions.DEFAULTS;
        }

        @Override
        protected Result execute() {
            BootOverride override = new BootOverride(device(), persistent, uefi);
            return new PowerCommand.OutcomeResult(options.service(this).boot(hosts.selection(), override), true);
        }
    }

    @Command(name = "pxe", description = "Boot from the network.")
    static final class Pxe extends Device {
        BootDevice device() {
            return BootDevice.PXE;
        }
    }

    @Command(name = "disk", description = "Boot from the first disk.")
    static final class Disk extends Device {
        BootDevice device() {
            return BootDevice.DISK;
        }
    }

    @Command(name = "bios", description = "Boot into the firmware setup.")
    static final class Bios extends Device {
        BootDevice device() {
            return BootDevice.BIOS;
        }
    }

    @Command(name = "cdrom", description = "Boot from CD/DVD (or virtual media).")
    static final class Cdrom extends Device {
        BootDevice device() {
            return BootDevice.CDROM;
        }
    }
}

package dev.metal.bmc;

import dev.metal.ipmi.BootFlags;
import dev.metal.ipmi.ChassisControl;
import dev.metal.ipmi.IpmiSession;
import dev.metal.model.BmcAddress;
import dev.metal.model.Host;
import dev.metal.util.Secrets;

/** BMCs over IPMI 2.0 lanplus: power and the boot override (no certificates, no inventory). */
public final class IpmiProvider implements BmcProvider {
    private final IpmiSession.Options options;

    public IpmiProvider(IpmiSession.Options options) {
        this.options = options;
    }

    @Override
    public Protocol protocol() {
        return Protocol.IPMI;
    }

    @Override
    public BmcSession open(Host host, String pin) {
        var bmc = host.bmc();
        String address = BmcProvider.address(host);
        String password = bmc.password() == null ? "" : Secrets.resolve(bmc.password());
        IpmiSession session = IpmiSession.open(BmcAddress.host(address), bmc.ipmiPort(),
                bmc.user() == null ? "" : bmc.user(), password, options);
        return new Session(session, host.hostname());
    }

    private final class Session implements BmcSession {
        private final IpmiSession session;
        private final String hostname;
        /** Whether the last boot flags read carried the valid bit (see {@link #shows}). */
        private boolean lastReadValid = true;

        Session(IpmiSession session, String hostname) {
            this.session = session;
            this.hostname = hostname;
        }

        @Override
        public PowerState powerState() {
            return session.powerOn() ? PowerState.ON : PowerState.OFF;
        }

        @Override
        public void power(PowerAction action) {
            session.chassisControl(switch (action) {
                case ON -> ChassisControl.POWER_UP;
                case OFF -> ChassisControl.POWER_DOWN;
                case SOFT -> ChassisControl.SOFT_SHUTDOWN;
                case CYCLE -> ChassisControl.POWER_CYCLE;
                case RESET -> ChassisControl.HARD_RESET;
                case STATUS -> throw new IllegalArgumentException("status is a read, not an action");
            });
        }

        @Override
        public BootOverride bootOverride() {
            BootFlags flags = session.bootFlags();
            lastReadValid = flags.valid();
            BootDevice device = switch (flags.device()) {
                case NONE, OTHER -> BootDevice.NONE;
                case PXE -> BootDevice.PXE;
                case DISK -> BootDevice.DISK;
                case CDROM -> BootDevice.CDROM;
                case BIOS -> BootDevice.BIOS;
            };
            return new BootOverride(device, flags.persistent(), flags.efi());
        }

        @Override
        public void setBootOverride(BootOverride override) {
            BootFlags.Device device = switch (override.device()) {
                case NONE -> BootFlags.Device.NONE;
                case PXE -> BootFlags.Device.PXE;
                case DISK -> BootFlags.Device.DISK;
                case CDROM -> BootFlags.Device.CDROM;
                case BIOS -> BootFlags.Device.BIOS;
            };
            boolean valid = override.device() != BootDevice.NONE;
            session.setBootFlags(new BootFlags(valid, override.persistent(), override.uefi(), device));
        }

        /**
         * Some BMCs (ipmi_sim among them) keep only the device selector of the boot flags and
         * always read the valid, persistent and EFI bits as clear. When the valid bit reads
         * clear, only the device can be confirmed.
         */
        @Override
        public boolean shows(BootOverride wanted, BootOverride readBack) {
            if (lastReadValid || wanted.device() == BootDevice.NONE) return wanted.equals(readBack);
            boolean same = wanted.device() == readBack.device();
            if (same && (wanted.persistent() || wanted.uefi())) {
                options.log().debug(hostname + ": the BMC reads back the boot device only; persistent/UEFI not confirmed");
            }
            return same;
        }

        @Override
        public void close() {
            session.close();
        }
    }
}

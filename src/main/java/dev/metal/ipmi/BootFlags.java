package dev.metal.ipmi;

/**
 * The boot flags parameter (number 5) of the System Boot Options, IPMI 2.0 section 28.13.
 * Byte 1: bit 7 valid, bit 6 persistent (all future boots, else the next one only),
 * bit 5 EFI (else legacy BIOS). Byte 2, bits 5..2: the device selector.
 */
public record BootFlags(boolean valid, boolean persistent, boolean efi, Device device) {
    public static final int PARAMETER = 5;

    /** The device selectors metal uses; OTHER stands for any selector it does not set. */
    public enum Device {
        NONE(0x0), PXE(0x1), DISK(0x2), CDROM(0x5), BIOS(0x6), OTHER(-1);

        final int selector;

        Device(int selector) {
            this.selector = selector;
        }

        static Device of(int selector) {
            for (Device d : values()) {
                if (d.selector == selector) return d;
            }
            return OTHER;
        }
    }

    /** The five data bytes of a Set System Boot Options request for this parameter. */
    public byte[] encode() {
        if (device == Device.OTHER) throw new IllegalArgumentException("cannot set an unknown boot device");
        int first = (valid ? 0x80 : 0) | (persistent ? 0x40 : 0) | (efi ? 0x20 : 0);
        return new byte[] {(byte) first, (byte) (device.selector << 2), 0, 0, 0};
    }

    /** Reads the five data bytes of the parameter. */
    public static BootFlags decode(byte[] data) {
        if (data.length < 2) throw new IpmiException("boot flags answer too short (" + data.length + " bytes)");
        int first = data[0] & 0xff;
        int selector = (data[1] & 0x3c) >> 2;
        return new BootFlags((first & 0x80) != 0, (first & 0x40) != 0, (first & 0x20) != 0, Device.of(selector));
    }
}

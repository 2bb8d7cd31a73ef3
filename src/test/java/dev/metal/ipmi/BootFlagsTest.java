package dev.metal.ipmi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class BootFlagsTest {
    @Test
    void encodesTheBitsOfIpmiSection28_13() {
        // valid + persistent + EFI, PXE (selector 1 in bits 5..2)
        assertArrayEquals(new byte[] {(byte) 0xe0, 0x04, 0, 0, 0},
                new BootFlags(true, true, true, BootFlags.Device.PXE).encode());
        // valid, next boot only, legacy, BIOS setup (selector 6)
        assertArrayEquals(new byte[] {(byte) 0x80, 0x18, 0, 0, 0},
                new BootFlags(true, false, false, BootFlags.Device.BIOS).encode());
        assertArrayEquals(new byte[] {(byte) 0xa0, 0x14, 0, 0, 0},
                new BootFlags(true, false, true, BootFlags.Device.CDROM).encode());
    }

    @Test
    void decodesWhatItEncodesAndSelectorsItDoesNotSet() {
        for (BootFlags.Device d : new BootFlags.Device[] {BootFlags.Device.PXE, BootFlags.Device.DISK,
            BootFlags.Device.CDROM, BootFlags.Device.BIOS}) {
            BootFlags f = new BootFlags(true, true, false, d);
            assertEquals(f, BootFlags.decode(f.encode()));
        }
        // selector 3 (safe mode) is not one metal sets; other bits of byte 2 are ignored
        assertEquals(new BootFlags(false, false, false, BootFlags.Device.OTHER),
                BootFlags.decode(new byte[] {0, (byte) 0x4f, 0, 0, 0}));
    }
}

package dev.metal.provision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metal.state.JournalEntry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The step a failed attempt stopped at, from the boot server's journal entries for it. */
class BootTrailTest {
    private static JournalEntry e(String event, Map<String, Object> detail) {
        return new JournalEntry(Instant.EPOCH, "serve", "h1", event, detail);
    }

    private static final JournalEntry SCRIPT = e("boot-script", Map.of("from", "10.0.0.5"));
    private static final JournalEntry KERNEL = e("boot-file", Map.of("path", "/files/d/linux", "status", 200));
    private static final JournalEntry INITRD = e("boot-file", Map.of("path", "/files/d/initrd.gz", "status", 200));

    private static BootTrail.Cause classify(JournalEntry... entries) {
        return BootTrail.classify(new ArrayList<>(List.of(entries)), "1m");
    }

    @Test
    void eachStepHasItsOwnCause() {
        BootTrail.Cause none = classify();
        assertEquals("no-script", none.key());
        assertTrue(none.text().startsWith("never asked for its iPXE script within 1m"), none.text());

        BootTrail.Cause refused = classify(e("boot-refused", Map.of("path", "/config/h1/preseed.cfg",
                "reason", "cannot render preseed: h1: profile p names no boot disk")));
        assertEquals("config refused: cannot render preseed: h1: profile p names no boot disk", refused.text());
        assertTrue(refused.systemic());

        BootTrail.Cause missing = classify(SCRIPT, e("boot-file", Map.of("path", "/files/d/linux", "status", 404)));
        assertEquals("kernel or initrd not found: GET /files/d/linux -> 404", missing.text());
        assertTrue(missing.systemic());

        BootTrail.Cause noConfig = classify(SCRIPT, KERNEL, INITRD);
        assertEquals("no-config", noConfig.key());
        assertTrue(noConfig.text().startsWith("fetched its iPXE script but never asked for its config within 1m"),
                noConfig.text());

        BootTrail.Cause noPhoneHome = classify(SCRIPT, KERNEL, INITRD, e("boot-config", Map.of("kind", "preseed.cfg")));
        assertEquals("booted the installer (it fetched its preseed.cfg) but never phoned home within 1m", noPhoneHome.text());
        assertFalse(noPhoneHome.systemic(), "an installer that never phones home points at the machine (disk, NIC)");

        JournalEntry alarm = e("boot-alarm", Map.of("from", "10.0.0.9", "servedTo", "10.0.0.5",
                "reason", "boot script of this attempt already served to another address"));
        BootTrail.Cause elsewhere = classify(SCRIPT, alarm);
        assertTrue(elsewhere.text().startsWith("script refused: the boot script of this attempt went to 10.0.0.5 first, "
                + "then 10.0.0.9 asked for it"), elsewhere.text());
        assertTrue(elsewhere.systemic());
        assertEquals("no-phone-home", classify(SCRIPT, KERNEL, e("boot-config", Map.of("kind", "user-data")), alarm).key(),
                "a new address after the installer got its config is no refused script");

        BootTrail.Cause failed = classify(SCRIPT, KERNEL, e("install-failed", Map.of("message", "no disk nvme0")));
        assertEquals("install reported failure: no disk nvme0", failed.text());
        assertFalse(failed.systemic());
    }

    @Test
    void theSameCauseOnTwoHostsHasTheSameKey() {
        assertEquals(classify(SCRIPT, KERNEL).key(), classify(SCRIPT, INITRD).key());
        assertEquals(classify(SCRIPT, e("boot-file", Map.of("path", "/files/d/linux", "status", 404))).key(),
                classify(e("boot-script", Map.of("from", "10.0.0.6")),
                        e("boot-file", Map.of("path", "/files/d/linux", "status", 404))).key());
    }
}

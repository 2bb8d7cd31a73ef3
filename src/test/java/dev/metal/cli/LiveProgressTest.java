package dev.metal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.jline.utils.AttributedString;
import org.junit.jupiter.api.Test;

class LiveProgressTest {
    @Test
    void aPipeGetsALinePerStepWithTheTimeAHostTookWhenItEnds() {
        StringWriter err = new StringWriter();
        AtomicLong now = new AtomicLong();
        try (LiveProgress p = LiveProgress.lines("onboard", new PrintWriter(err), now::get)) {
            p.working("r1-n01", "imported", "finding the BMC");
            now.set(1_500_000_000L);
            p.failed("r1-n01", null, "BMC never answered");
            p.working("r1-n02", "ready", "match");
            now.set(2_000_000_000L);
            p.done("r1-n02", null, "ready");
        }
        assertEquals("""
                metal: onboard: r1-n01 [imported] finding the BMC
                metal: onboard: r1-n01 [imported] failed: BMC never answered (1.5 s)
                metal: onboard: r1-n02 [ready] match
                metal: onboard: r1-n02 [ready] ready (0.5 s)
                """, err.toString());
    }

    @Test
    void theViewPutsHostsAtWorkFirstAndFitsTheTerminal() {
        AtomicLong now = new AtomicLong();
        LiveProgress p = LiveProgress.lines("scrape", new PrintWriter(new StringWriter()), now::get);
        for (int i = 1; i <= 6; i++) p.working("host-" + i, "discovered", "reading the BMC of a server with a long name");
        p.done("host-1", "inventoried", "stored");
        p.failed("host-2", null, "BMC never answered");
        now.set(3_000_000_000L);
        List<String> view = p.view(now.get(), 60, 6).stream().map(AttributedString::toString).toList();
        assertEquals(List.of(
                "scrape: 6 hosts, 4 at work, 1 done, 1 failed",
                "  host-3    discovered     3.0 s  reading the BMC of a serv",
                "  host-4    discovered     3.0 s  reading the BMC of a serv",
                "  host-5    discovered     3.0 s  reading the BMC of a serv",
                "  ... and 3 more"), view);
    }
}

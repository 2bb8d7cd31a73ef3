package dev.metal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Tables of notes fit 120 columns: a long note is cut, and one line says where to read it whole. */
class TableTest {
    @Test
    void longNotesAreCutOnceWithAPointer() {
        String note = "no phone-home within 20m: the machine fetched its iPXE script and kernel, "
                + "then nothing; check the installer's console and the preseed it was given";
        Table t = new Table("SLOT", "HOST", "STATUS", "WHAT HAPPENED").fit(Table.WIDTH, "'metal host show HOST' has them whole");
        t.row(1, "lab-r1-n02", "failed", note);
        t.row(2, "lab-r2-n02", "active", "ok");
        StringWriter w = new StringWriter();
        t.print(new PrintWriter(w, true));
        String[] lines = w.toString().split("\n");
        for (String line : lines) assertTrue(line.length() <= Table.WIDTH, line);
        assertTrue(lines[1].endsWith("..."), lines[1]);
        assertTrue(lines[1].contains("no phone-home within 20m: the machine fetched"), lines[1]);
        assertEquals("(notes cut to fit 120 columns: 'metal host show HOST' has them whole)", lines[3]);
        assertEquals(4, lines.length, w.toString());
    }
}

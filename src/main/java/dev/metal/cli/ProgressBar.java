package dev.metal.cli;

import dev.metal.util.Log;
import java.io.IOException;
import java.io.PrintWriter;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * Progress on stderr: a bar redrawn in place on a terminal (JLine), plain lines (with -v)
 * when stderr is a file or a pipe, so that logs stay readable.
 */
final class ProgressBar implements AutoCloseable {
    private final Terminal terminal;
    private final String label;
    private final Log log;
    private int failed;

    private ProgressBar(Terminal terminal, String label, Log log) {
        this.terminal = terminal;
        this.label = label;
        this.log = log;
    }

    static ProgressBar open(Context context, String label, Log log) {
        Terminal t = null;
        // Only the real process on a real terminal draws a bar; tests and pipes get lines.
        if (System.console() != null && context.err() != null && context.env("METAL_NO_PROGRESS") == null) {
            try {
                t = TerminalBuilder.builder().system(true).systemOutput(TerminalBuilder.SystemOutput.SysErr)
                        .dumb(true).build();
                if (t.getType().startsWith(Terminal.TYPE_DUMB)) {
                    t.close();
                    t = null;
                }
            } catch (IOException | RuntimeException e) {
                t = null;
            }
        }
        return new ProgressBar(t, label, log);
    }

    synchronized void step(String host, String error, int done, int total) {
        if (error != null) failed++;
        if (terminal == null) {
            log.info(label + " " + done + "/" + total + " " + host + (error == null ? " ok" : " failed: " + error));
            return;
        }
        int width = Math.max(20, Math.min(terminal.getWidth(), 120) - 40);
        int filled = total == 0 ? width : (int) ((long) width * done / total);
        String line = String.format("\r%s [%s%s] %d/%d%s", label, "=".repeat(filled), " ".repeat(width - filled),
                done, total, failed == 0 ? "" : " (" + failed + " failed)");
        PrintWriter w = terminal.writer();
        w.print(line + "\u001b[K");
        w.flush();
    }

    @Override
    public void close() {
        if (terminal == null) return;
        PrintWriter w = terminal.writer();
        w.print("\r\u001b[K");
        w.flush();
        try {
            terminal.close();
        } catch (IOException ignored) {
            // nothing left to restore
        }
    }
}

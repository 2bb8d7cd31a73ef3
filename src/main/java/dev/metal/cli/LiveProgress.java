package dev.metal.cli;

import dev.metal.util.Progress;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;

/**
 * Fleet work as it goes, on stderr. On a terminal (JLine) a live view redrawn in place: a
 * line per host with its state, its step and the time it has taken, under a count of hosts
 * at work, done and failed. Anywhere else (a pipe, a file, a test) a plain line per host
 * step, so that logs stay readable. {@code --quiet} shows nothing.
 */
final class LiveProgress implements Progress, AutoCloseable {
    /** One host's line. */
    private static final class Row {
        final long started;
        String state;
        String step;
        Phase phase = Phase.WORKING;
        long finished = -1;

        Row(long started) {
            this.started = started;
        }

        long elapsed(long now) {
            return (finished >= 0 ? finished : now) - started;
        }
    }

    private final String label;
    private final PrintWriter lines;
    private final Terminal terminal;
    private final LongSupplier clock;
    private final Map<String, Row> rows = new LinkedHashMap<>();
    private final ScheduledExecutorService ticker;
    private int drawn;
    private boolean closed;

    private LiveProgress(String label, PrintWriter lines, Terminal terminal, LongSupplier clock) {
        this.label = label;
        this.lines = lines;
        this.terminal = terminal;
        this.clock = clock;
        if (terminal == null) {
            ticker = null;
        } else {
            // The elapsed times move on between events too.
            ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "metal-progress");
                t.setDaemon(true);
                return t;
            });
            ticker.scheduleWithFixedDelay(this::redraw, 250, 250, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * A live view when the process's stderr is a terminal, else lines on the command's stderr;
     * nothing with {@code quiet} (or $METAL_NO_PROGRESS set).
     */
    static LiveProgress open(Context context, String label, boolean quiet) {
        if (quiet || context.env("METAL_NO_PROGRESS") != null) {
            return new LiveProgress(label, null, null, System::nanoTime);
        }
        return new LiveProgress(label, context.err(), terminal(context), System::nanoTime);
    }

    /** Lines only, on {@code err}, timed by {@code clock} (nanoseconds): for tests. */
    static LiveProgress lines(String label, PrintWriter err, LongSupplier clock) {
        return new LiveProgress(label, err, null, clock);
    }

    private static Terminal terminal(Context context) {
        // Only the real process, with a terminal on stderr, draws; captured streams get lines.
        if (System.console() == null || context.err() == null) return null;
        try {
            Terminal t = TerminalBuilder.builder().system(true).systemOutput(TerminalBuilder.SystemOutput.SysErr)
                    .dumb(true).build();
            if (t.getType().startsWith(Terminal.TYPE_DUMB) || t.getHeight() < 3 || t.getWidth() < 20) {
                t.close();
                return null;
            }
            return t;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public void report(String host, String state, String step, Phase phase) {
        if (lines == null) return;
        synchronized (this) {
            if (closed) return;
            long now = clock.getAsLong();
            Row row = rows.computeIfAbsent(host, h -> new Row(now));
            if (state != null) row.state = state;
            if (step != null) row.step = step;
            row.phase = phase;
            if (phase != Phase.WORKING) row.finished = now;
            if (terminal == null) {
                lines.println(line(host, row, now));
                lines.flush();
                return;
            }
        }
        redraw();
    }

    /** The plain line for a step: "metal: scrape: lab-r1-n01 [discovered] reading the BMC". */
    private String line(String host, Row row, long now) {
        StringBuilder b = new StringBuilder("metal: ").append(label).append(": ").append(host);
        if (row.state != null) b.append(" [").append(row.state).append(']');
        if (row.phase == Phase.FAILED) b.append(" failed:");
        if (row.step != null) b.append(' ').append(row.step);
        if (row.phase != Phase.WORKING) b.append(" (").append(seconds(row.elapsed(now))).append(')');
        return b.toString();
    }

    private synchronized void redraw() {
        if (closed || terminal == null) return;
        long now = clock.getAsLong();
        List<AttributedString> view = view(now, Math.max(20, terminal.getWidth()), Math.max(3, terminal.getHeight()));
        PrintWriter w = terminal.writer();
        StringBuilder b = new StringBuilder();
        if (drawn > 0) b.append("\u001b[").append(drawn).append('A');
        b.append('\r');
        for (AttributedString s : view) b.append(s.toAnsi(terminal)).append("\u001b[K\n");
        b.append("\u001b[J");
        w.print(b);
        w.flush();
        drawn = view.size();
    }

    /**
     * The view: a count line, then a line per host, those at work first, as many as the
     * terminal has rows for; each line cut to the width so that none wraps.
     */
    List<AttributedString> view(long now, int width, int height) {
        int working = 0;
        int failed = 0;
        int nameWidth = 8;
        int stateWidth = 5;
        for (Map.Entry<String, Row> e : rows.entrySet()) {
            Row r = e.getValue();
            if (r.phase == Phase.WORKING) working++;
            if (r.phase == Phase.FAILED) failed++;
            nameWidth = Math.max(nameWidth, e.getKey().length());
            if (r.state != null) stateWidth = Math.max(stateWidth, r.state.length());
        }
        List<AttributedString> out = new ArrayList<>();
        AttributedStringBuilder head = new AttributedStringBuilder().style(AttributedStyle.BOLD)
                .append(label).style(AttributedStyle.DEFAULT)
                .append(String.format(": %d %s, %d at work, %d done, %d failed", rows.size(),
                        rows.size() == 1 ? "host" : "hosts", working,
                        rows.size() - working - failed, failed));
        out.add(cut(head.toAttributedString(), width));
        List<Map.Entry<String, Row>> order = new ArrayList<>();
        for (Map.Entry<String, Row> e : rows.entrySet()) if (e.getValue().phase == Phase.WORKING) order.add(e);
        for (Map.Entry<String, Row> e : rows.entrySet()) if (e.getValue().phase == Phase.FAILED) order.add(e);
        for (Map.Entry<String, Row> e : rows.entrySet()) if (e.getValue().phase == Phase.DONE) order.add(e);
        int room = height - 2;
        for (int i = 0; i < order.size(); i++) {
            if (i == room - 1 && order.size() > room) {
                out.add(new AttributedString("  ... and " + (order.size() - i) + " more"));
                break;
            }
            Map.Entry<String, Row> e = order.get(i);
            Row r = e.getValue();
            AttributedStyle style = switch (r.phase) {
                case WORKING -> AttributedStyle.DEFAULT;
                case DONE -> AttributedStyle.DEFAULT.foreground(AttributedStyle.GREEN);
                case FAILED -> AttributedStyle.DEFAULT.foreground(AttributedStyle.RED);
            };
            AttributedStringBuilder b = new AttributedStringBuilder()
                    .append(String.format("  %-" + nameWidth + "s  ", e.getKey()))
                    .style(style)
                    .append(String.format("%-" + stateWidth + "s", r.state == null ? "-" : r.state))
                    .style(AttributedStyle.DEFAULT)
                    .append(String.format("  %7s  ", seconds(r.elapsed(now))))
                    .append(r.phase == Phase.FAILED ? "failed: " : "")
                    .append(r.step == null ? "" : r.step);
            out.add(cut(b.toAttributedString(), width));
        }
        return out;
    }

    private static AttributedString cut(AttributedString s, int width) {
        return s.columnLength() < width ? s : s.columnSubSequence(0, width - 1);
    }

    static String seconds(long nanos) {
        return String.format("%.1f s", nanos / 1e9);
    }

    /** Ends the view; on a terminal it is cleared, for the result that follows. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        if (terminal == null) return;
        ticker.shutdownNow();
        synchronized (this) {
            PrintWriter w = terminal.writer();
            if (drawn > 0) w.print("\u001b[" + drawn + "A");
            w.print("\r\u001b[J");
            w.flush();
        }
        try {
            terminal.close();
        } catch (IOException ignored) {
            // nothing left to restore
        }
    }
}

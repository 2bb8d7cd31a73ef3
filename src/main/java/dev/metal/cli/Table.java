package dev.metal.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** A plain text table with aligned columns, for people. */
public final class Table {
    private final List<String[]> rows = new ArrayList<>();
    private final int columns;

    public Table(String... header) {
        columns = header.length;
        rows.add(header);
    }

    public Table row(Object... cells) {
        String[] r = new String[columns];
        for (int i = 0; i < columns; i++) {
            Object c = i < cells.length ? cells[i] : null;
            r[i] = c == null ? "-" : c.toString();
        }
        rows.add(r);
        return this;
    }

    /** The width tables of notes fit in: a terminal of 120 columns shows them without wrapping. */
    public static final int WIDTH = 120;

    private int fit;
    private String pointer;

    /**
     * Fits the table in {@code width} columns by cutting the last column (notes, errors):
     * a cut cell ends in "...", and one line after the table says where to read it whole
     * ({@code pointer}, e.g. "'metal host show HOST' has them whole").
     */
    public Table fit(int width, String pointer) {
        this.fit = width;
        this.pointer = pointer;
        return this;
    }

    public int size() {
        return rows.size() - 1;
    }

    public void print(PrintWriter out) {
        int[] width = new int[columns];
        for (String[] r : rows) {
            for (int i = 0; i < columns; i++) width[i] = Math.max(width[i], r[i].length());
        }
        boolean cut = false;
        if (fit > 0) {
            int before = 0;
            for (int i = 0; i < columns - 1; i++) before += width[i] + 2;
            int room = Math.max(fit - before, rows.get(0)[columns - 1].length());
            for (String[] r : rows.subList(1, rows.size())) {
                String last = r[columns - 1];
                if (last.length() > room) {
                    int end = Math.max(0, room - 3);
                    int space = last.lastIndexOf(' ', end);
                    if (space > room / 2) end = space;
                    r[columns - 1] = last.substring(0, end).stripTrailing() + "...";
                    cut = true;
                }
            }
            width[columns - 1] = Math.min(width[columns - 1], room);
        }
        StringBuilder line = new StringBuilder();
        for (String[] r : rows) {
            line.setLength(0);
            for (int i = 0; i < columns; i++) {
                line.append(r[i]);
                if (i < columns - 1) line.append(" ".repeat(width[i] - r[i].length() + 2));
            }
            out.println(line.toString().stripTrailing());
        }
        if (cut) out.println("(notes cut to fit " + fit + " columns: " + pointer + ")");
    }
}

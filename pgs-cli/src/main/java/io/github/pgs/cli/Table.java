package io.github.pgs.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** A text table: a header row, columns as wide as their widest cell, numbers right-aligned, two spaces between. */
final class Table {

    private final String[] headers;
    private final boolean[] rightAligned;
    private final List<String[]> rows = new ArrayList<>();

    /** Headers; a header starting with {@code >} marks a right-aligned column (the marker is not printed). */
    Table(String... headers) {
        this.headers = new String[headers.length];
        this.rightAligned = new boolean[headers.length];
        for (int i = 0; i < headers.length; i++) {
            rightAligned[i] = headers[i].startsWith(">");
            this.headers[i] = rightAligned[i] ? headers[i].substring(1) : headers[i];
        }
    }

    Table row(Object... cells) {
        if (cells.length != headers.length) {
            throw new IllegalArgumentException(cells.length + " cells for " + headers.length + " columns");
        }
        String[] r = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            r[i] = Terminal.safe(String.valueOf(cells[i]));
        }
        rows.add(r);
        return this;
    }

    void print(PrintStream out) {
        print(out, true);
    }

    /** Prints the rows, and the header row first if {@code header}; widths count the header either way. */
    void print(PrintStream out, boolean header) {
        int[] widths = new int[headers.length];
        for (int i = 0; i < headers.length; i++) {
            widths[i] = Terminal.width(headers[i]);
            for (String[] r : rows) {
                widths[i] = Math.max(widths[i], Terminal.width(r[i]));
            }
        }
        if (header) {
            line(out, headers, widths);
        }
        for (String[] r : rows) {
            line(out, r, widths);
        }
    }

    private void line(PrintStream out, String[] cells, int[] widths) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            boolean last = i == cells.length - 1;
            int pad = widths[i] - Terminal.width(cells[i]);
            if (rightAligned[i]) {
                b.repeat(' ', pad).append(cells[i]);
            } else {
                b.append(cells[i]);
                if (!last) {
                    b.repeat(' ', pad);
                }
            }
            if (!last) {
                b.append("  ");
            }
        }
        out.println(b);
    }
}

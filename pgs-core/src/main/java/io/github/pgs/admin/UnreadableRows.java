package io.github.pgs.admin;

import io.github.pgs.spi.SkippedRow;

import java.util.ArrayList;
import java.util.List;

/**
 * The rows one admin scan skipped because they cannot be read: counted, the first few kept, and all of them reported
 * once, when the scan ends, as one warning (the first {@value #LOGGED} rows in full, then the count). Never the
 * rows' contents: a {@link SkippedRow} names the problem and a percent-encoded position.
 */
final class UnreadableRows {

    /** Rows named in the log line. */
    static final int LOGGED = 5;

    private static final System.Logger LOG = System.getLogger(Admin.class.getName());

    private final String scan;
    private final String type;
    private final int keep;
    private final List<SkippedRow> kept = new ArrayList<>(0);
    private long count;

    /** @param keep how many rows to keep for {@link #rows()} (at least {@value #LOGGED}) */
    UnreadableRows(String scan, String type, int keep) {
        this.scan = scan;
        this.type = type;
        this.keep = Math.max(keep, LOGGED);
    }

    void add(SkippedRow row) {
        count++;
        if (kept.size() < keep) {
            kept.add(row);
        }
    }

    void addAll(List<SkippedRow> rows) {
        rows.forEach(this::add);
    }

    long count() {
        return count;
    }

    /** The first rows skipped, as many as this accumulator keeps. */
    List<SkippedRow> rows() {
        return kept;
    }

    /** Logs what was skipped, once; nothing if nothing was. */
    void log() {
        if (count == 0) {
            return;
        }
        StringBuilder line = new StringBuilder().append(scan).append(" of type '").append(type)
                .append("' skipped ").append(count).append(count == 1 ? " unreadable row: " : " unreadable rows: ");
        for (int i = 0; i < kept.size() && i < LOGGED; i++) {
            line.append(i == 0 ? "" : "; ").append(kept.get(i));
        }
        if (count > LOGGED) {
            line.append("; and ").append(count - LOGGED).append(" more");
        }
        LOG.log(System.Logger.Level.WARNING, line.toString());
    }
}

package io.github.pgs.spi;

import java.util.Objects;

/**
 * A stored row that a scan ({@link Storage#list}, {@link Storage#due}) read but could not turn into a result, and
 * skipped: a key that is not valid UTF-8, a type name no server can have, an impossible due time. The scan goes on
 * past it; callers count such rows and report each once, and never fail the scan for it.
 *
 * @param problem  what is wrong, in the store's words; names fields and sizes, never the row's contents, so it
 *                 can be logged as it is
 * @param position where the row is, percent-encoded as {@link KeyCursor#text()} writes bytes (printable and
 *                 log-safe): for a key listing the row's key bytes, for a due scan the store's cursor bytes; for
 *                 an operator who wants to find and repair the row
 */
public record SkippedRow(String problem, String position) {

    public SkippedRow {
        Objects.requireNonNull(problem, "problem");
        Objects.requireNonNull(position, "position");
    }

    /** The problem and the start of the position (at most 64 characters), for a log line of bounded length. */
    @Override
    public String toString() {
        return "skipped row at " + (position.length() <= 64 ? position : position.substring(0, 61) + "...")
                + ": " + problem;
    }
}

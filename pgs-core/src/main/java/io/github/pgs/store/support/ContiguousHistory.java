package io.github.pgs.store.support;

import io.github.pgs.spi.Storage;

/**
 * The history check of {@link Storage#history}: of the history rows a store reads for a key, most recent first,
 * only those whose versions run on without a gap from the current version minus one belong to the current
 * history. Rows below a gap are leftovers that a depth-0 save or a delete did not remove (possible when several
 * stores share one table and one of them had not seen history in use); the key's next save with a depth prunes
 * them, and until then they must never show.
 *
 * <pre>{@code
 * ContiguousHistory walk = new ContiguousHistory();
 * while (rows.next()) {                        // ORDER BY version DESC, with the state row's version beside
 *     if (!walk.accept(rows.version(), rows.currentVersion())) {
 *         break;                               // a gap: nothing further down is current
 *     }
 *     kept.add(...);
 * }
 * }</pre>
 *
 * <p>One instance per walk; not thread-safe.
 */
public final class ContiguousHistory {

    private boolean started;
    private boolean broken;
    private long next;

    /**
     * Whether the row at {@code version} continues the history; {@code currentVersion} is the key's stored version
     * (read from the first row, ignored afterwards). Returns {@code false} at the first gap, and for every row
     * after it.
     */
    public boolean accept(long version, long currentVersion) {
        if (!started) {
            started = true;
            next = currentVersion - 1;
        }
        if (broken || version != next || version < 1) {
            broken = true; // nothing after a gap is current
            return false;
        }
        next--;
        return true;
    }
}

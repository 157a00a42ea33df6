package io.github.pgs.internal;

import io.github.pgs.spi.SkippedRow;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The rows the runtime's own scans (recovery, the reminder poller, TTL sweeps) met but could not read: each is
 * reported once per runtime, by its position and problem, never its contents. The memory of what was reported is
 * bounded, so a flood of bad rows stays cheap (past the bound, rows are counted but not named again).
 */
final class SkippedRows {

    private static final System.Logger LOG = System.getLogger("io.github.pgs");
    /** The most rows remembered as reported. */
    static final int MAX_REMEMBERED = 10_000;

    private final String runtime;
    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    SkippedRows(String runtime) {
        this.runtime = runtime;
    }

    /** Reports the rows {@code scan} skipped that this runtime has not reported yet. */
    void report(String scan, List<SkippedRow> rows) {
        for (SkippedRow row : rows) {
            if (reported.size() < MAX_REMEMBERED && reported.add(scan + " " + row.position())) {
                LOG.log(System.Logger.Level.WARNING, "runtime " + runtime + ": " + scan + " " + row);
            }
        }
    }
}

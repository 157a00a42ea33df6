package io.github.pgs.admin;

import io.github.pgs.spi.KeyCursor;

import java.util.List;

/**
 * One page of {@link Admin#quarantined}: the recorded quarantines of one type.
 *
 * @param entries the quarantines on this page, in key order (fewer than the limit does not mean the last page)
 * @param next    the cursor for the next page, or {@code null} after the last
 */
public record QuarantinePage(List<QuarantineEntry> entries, KeyCursor next) {

    public QuarantinePage {
        entries = List.copyOf(entries);
    }

    /** Whether more pages follow. */
    public boolean hasMore() {
        return next != null;
    }
}

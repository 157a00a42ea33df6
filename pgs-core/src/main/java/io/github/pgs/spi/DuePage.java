package io.github.pgs.spi;

import java.util.List;

/**
 * One page of {@link Storage#due}: servers whose reminders are due, in ascending due time.
 *
 * <p>A page reads at most its limit of rows: the servers returned plus the rows skipped. Continue with
 * {@link #next()} until it is {@code null}; a page can hold fewer servers than the limit (even none) while more
 * are due, when it skipped rows.
 *
 * @param servers the due servers on this page
 * @param next    the cursor for the next page; {@code null} exactly when nothing more is due
 * @param skipped rows read but not returned because they cannot be (a type name no server can have, a key that is
 *                not valid UTF-8, an impossible due time); empty on a clean page
 */
public record DuePage(List<DueServer> servers, DueCursor next, List<SkippedRow> skipped) {

    public DuePage {
        servers = List.copyOf(servers);
        skipped = List.copyOf(skipped);
    }

    /** Whether more pages follow. */
    public boolean hasMore() {
        return next != null;
    }
}

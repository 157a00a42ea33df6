package io.github.pgs.spi;

import java.util.List;

/**
 * One page of keys from {@link Storage#list}, in ascending order of the keys' UTF-8 bytes.
 *
 * <p>A page reads at most its limit of rows: the keys listed plus the rows skipped. Continue with {@link #next()}
 * until it is {@code null}; a page can hold fewer keys than the limit (even none) while more follow, when it
 * skipped rows.
 *
 * @param keys    the keys on this page
 * @param next    the cursor for the next page: the position of the last row read; {@code null} exactly when no
 *                row follows
 * @param skipped the rows read but not listed because they cannot be (for example a key that is not valid
 *                UTF-8); empty on a clean page
 */
public record KeyPage(List<String> keys, KeyCursor next, List<SkippedRow> skipped) {

    public KeyPage {
        keys = List.copyOf(keys);
        skipped = List.copyOf(skipped);
    }

    /** A page without skipped rows. */
    public KeyPage(List<String> keys, KeyCursor next) {
        this(keys, next, List.of());
    }

    /** Whether more pages follow. */
    public boolean hasMore() {
        return next != null;
    }
}

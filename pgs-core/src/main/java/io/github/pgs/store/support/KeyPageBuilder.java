package io.github.pgs.store.support;

import io.github.pgs.ServerId;
import io.github.pgs.spi.KeyCursor;
import io.github.pgs.spi.KeyPage;
import io.github.pgs.spi.SkippedRow;
import io.github.pgs.spi.Storage;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds one page of {@link Storage#list} from the stored key bytes, in order, by the "limit + 1" rule: the store
 * asks its backend for {@link #fetchSize()} rows and offers their keys here until {@link #add} says the page is
 * full. Whether the extra row existed tells whether another page follows, so the cursor is {@code null} exactly on
 * the last page, also when that page is exactly full.
 *
 * <p>Each key is decoded strictly: a key that is not valid UTF-8 (another program wrote it, or a disk damaged it)
 * is skipped and reported in {@link KeyPage#skipped()}, never decoded into a replacement character, which would
 * list a key that does not exist and, as a cursor, never move past it. The cursor is the bytes of the last row
 * read, listed or skipped.
 *
 * <pre>{@code
 * KeyPageBuilder page = new KeyPageBuilder(limit);
 * statement.setLong(n, page.fetchSize());
 * try (ResultSet rs = statement.executeQuery()) {
 *     while (rs.next() && page.add(rs.getBytes(1))) {
 *     }
 * }
 * return page.build();
 * }</pre>
 *
 * <p>One instance per page; not thread-safe.
 */
public final class KeyPageBuilder {

    private final int limit;
    private final List<String> keys;
    private final List<SkippedRow> skipped = new ArrayList<>(0);
    private int read;
    private byte[] last;
    private boolean more;

    /**
     * A page of at most {@code limit} rows.
     *
     * @throws IllegalArgumentException if {@code limit} &lt; 1
     */
    public KeyPageBuilder(int limit) {
        this.limit = StoreChecks.limit(limit);
        this.keys = new ArrayList<>(Math.min(limit, 1024));
    }

    /** How many rows to ask the backend for: one more than the page holds. */
    public long fetchSize() {
        return limit + 1L;
    }

    /**
     * Offers the next stored key in order (the array is kept, not copied).
     *
     * @return whether to go on offering ({@code false} once the row beyond the page was seen)
     */
    public boolean add(byte[] storedKey) {
        if (read == limit) {
            more = true;
            return false;
        }
        read++;
        last = storedKey;
        try {
            keys.add(ServerId.decodeKey(storedKey));
        } catch (IllegalArgumentException notUtf8) {
            skipped.add(new SkippedRow("key of " + storedKey.length + " bytes is not valid UTF-8",
                    ServerId.percentEncode(storedKey)));
        }
        return true;
    }

    /** The page: the keys read within the limit, the rows skipped, and the cursor if a row beyond it was seen. */
    public KeyPage build() {
        return new KeyPage(keys, more ? KeyCursor.ofStoredBytes(last) : null, skipped);
    }
}

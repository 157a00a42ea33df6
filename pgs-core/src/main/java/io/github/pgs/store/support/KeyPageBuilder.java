package io.github.pgs.store.support;

import io.github.pgs.spi.KeyPage;
import io.github.pgs.spi.Storage;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds one page of {@link Storage#list} by the "limit + 1" rule: the store asks its backend for
 * {@link #fetchSize()} keys, in order, and offers them here until {@link #add} says the page is full; whether the
 * extra key existed tells whether another page follows, so the cursor is {@code null} exactly on the last page,
 * also when that page is exactly full.
 *
 * <pre>{@code
 * KeyPageBuilder page = new KeyPageBuilder(StoreChecks.limit(limit));
 * statement.setLong(n, page.fetchSize());
 * try (ResultSet rs = statement.executeQuery()) {
 *     while (rs.next() && page.add(rs.getString(1))) {
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
    private boolean more;

    /** A page of at most {@code limit} keys (&ge; 1, see {@link StoreChecks#limit}). */
    public KeyPageBuilder(int limit) {
        this.limit = StoreChecks.limit(limit);
        this.keys = new ArrayList<>(Math.min(limit, 1024));
    }

    /** How many keys to ask the backend for: one more than the page holds. */
    public long fetchSize() {
        return limit + 1L;
    }

    /**
     * Offers the next key in order.
     *
     * @return whether to go on offering ({@code false} once the key beyond the page was seen)
     */
    public boolean add(String key) {
        if (keys.size() == limit) {
            more = true;
            return false;
        }
        keys.add(key);
        return true;
    }

    /** The page: the keys offered within the limit, and the cursor if a key beyond it was offered. */
    public KeyPage build() {
        return new KeyPage(keys, more ? keys.get(keys.size() - 1) : null);
    }
}

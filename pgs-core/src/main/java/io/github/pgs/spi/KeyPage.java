package io.github.pgs.spi;

import java.util.List;

/**
 * One page of keys from {@link Storage#list}, in ascending order of the keys' UTF-8 bytes.
 *
 * @param keys      the keys on this page
 * @param nextAfter the cursor for the next page ({@code null} when this is the last page)
 */
public record KeyPage(List<String> keys, String nextAfter) {

    public KeyPage {
        keys = List.copyOf(keys);
    }

    /** Whether more pages follow. */
    public boolean hasMore() {
        return nextAfter != null;
    }
}

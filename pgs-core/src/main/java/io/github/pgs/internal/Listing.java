package io.github.pgs.internal;

import io.github.pgs.spi.KeyCursor;
import io.github.pgs.spi.KeyPage;
import io.github.pgs.spi.Storage;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * Walks the live keys of one type, page by page, for recovery, expiry and counting. Memory stays bounded by one
 * page whatever the number of keys. The cursor is the store's position of the last row read, so a row the store
 * cannot read does not stop the walk (the page reports it in {@link KeyPage#skipped()}); a listing whose cursor
 * does not move on all the same (a store bug) ends with an error instead of looping forever.
 */
final class Listing {

    /** Keys per page when nothing else is asked for. */
    static final int PAGE = 1_000;

    private Listing() {
    }

    /** Calls {@code each} with every page of {@code type}, in key order. */
    static void eachPage(Storage storage, String type, int pageSize, Consumer<KeyPage> each) {
        KeyCursor after = null;
        do {
            KeyPage page = storage.list(type, after, pageSize);
            each.accept(page);
            KeyCursor next = page.next();
            if (next != null && Objects.equals(next, after)) {
                throw new IllegalStateException("the store's listing of type " + type + " does not advance past a "
                        + "row; the rest of the type is not listed");
            }
            after = next;
        } while (after != null);
    }
}

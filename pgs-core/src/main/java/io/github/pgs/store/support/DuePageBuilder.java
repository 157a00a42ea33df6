package io.github.pgs.store.support;

import io.github.pgs.ServerId;
import io.github.pgs.spi.DueCursor;
import io.github.pgs.spi.DuePage;
import io.github.pgs.spi.DueServer;
import io.github.pgs.spi.SkippedRow;
import io.github.pgs.spi.Storage;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds one page of {@link Storage#due} from stored rows, in due order, by the "limit + 1" rule (see
 * {@link KeyPageBuilder}), isolating each row: a row whose type is not a valid type name, whose key is not valid
 * UTF-8 or whose due time is not positive is skipped and reported in {@link DuePage#skipped()}; it never fails the
 * page, and the scan moves on past it, so one corrupt row cannot stop every reminder of the store.
 *
 * <h2>Cursors</h2>
 * Each row offered comes with its position as a {@link DueCursor}; the page's cursor is the position of the last
 * row read. Stores whose rows have separate due time, type and key columns use {@link #rowCursor} and
 * {@link #position} for the layout: 8 bytes of due time, 4 bytes of type length, the type's bytes, the key's bytes
 * (all as stored). A cursor of only the 8 bytes ({@link DueCursor#startingAt}) reads as a position with no type and
 * key: before every row due at that instant.
 *
 * <p>One instance per page; not thread-safe.
 */
public final class DuePageBuilder {

    /** A decoded position: due time, and the row's stored type and key bytes ({@code null} for "before all"). */
    public record Position(long remindAtMillis, byte[] type, byte[] key) {

        /** Whether this is a {@link DueCursor#startingAt} position, before every row due at its instant. */
        public boolean beforeAll() {
            return type == null;
        }
    }

    private final int limit;
    private final List<DueServer> servers;
    private final List<SkippedRow> skipped = new ArrayList<>(0);
    private int read;
    private DueCursor last;
    private boolean more;

    /**
     * A page of at most {@code limit} rows.
     *
     * @throws IllegalArgumentException if {@code limit} &lt; 1
     */
    public DuePageBuilder(int limit) {
        this.limit = StoreChecks.limit(limit);
        this.servers = new ArrayList<>(Math.min(limit, 1024));
    }

    /** How many rows to ask the backend for: one more than the page holds. */
    public long fetchSize() {
        return limit + 1L;
    }

    /**
     * Offers the next row in due order.
     *
     * @param remindAtMillis the row's due time
     * @param type           the row's type name as stored
     * @param key            the row's key as stored
     * @param at             the row's position, the cursor after it
     * @return whether to go on offering ({@code false} once the row beyond the page was seen)
     */
    public boolean add(long remindAtMillis, byte[] type, byte[] key, DueCursor at) {
        if (!take(at)) {
            return false;
        }
        String typeName = StoreChecks.utf8OrNull(type);
        if (typeName == null || !ServerId.isValidTypeName(typeName)) {
            skip("type name of " + type.length + " bytes is not a valid type name", at);
        } else if (remindAtMillis <= 0) {
            skip("due time is not positive", at);
        } else {
            String k = StoreChecks.utf8OrNull(key);
            if (k == null) {
                skip("key of " + key.length + " bytes is not valid UTF-8", at);
            } else {
                servers.add(new DueServer(new ServerId(typeName, k), remindAtMillis));
            }
        }
        return true;
    }

    /**
     * Offers the next row of a store whose rows have separate due time, type and key columns, with its position
     * made by {@link #rowCursor}; {@code usable} is the store's own check of the rest of the row (a live state
     * with a reminder set), a row failing it is reported as a due time without them.
     *
     * @return whether to go on offering
     */
    public boolean addRow(long remindAtMillis, byte[] type, byte[] key, boolean usable) {
        DueCursor at = rowCursor(remindAtMillis, type, key);
        return usable ? add(remindAtMillis, type, key, at)
                : addUnusable("due time without a live state and reminder set", at);
    }

    /**
     * Offers the next row in due order as one the store itself found unusable ({@code problem} names what is
     * wrong, never the row's contents).
     *
     * @return whether to go on offering
     */
    public boolean addUnusable(String problem, DueCursor at) {
        if (!take(at)) {
            return false;
        }
        skip(problem, at);
        return true;
    }

    /** The page: servers and skipped rows within the limit, and the cursor if a row beyond it was seen. */
    public DuePage build() {
        return new DuePage(servers, more ? last : null, skipped);
    }

    private boolean take(DueCursor at) {
        if (read == limit) {
            more = true;
            return false;
        }
        read++;
        last = at;
        return true;
    }

    private void skip(String problem, DueCursor at) {
        skipped.add(new SkippedRow(problem, ServerId.percentEncode(at.bytes())));
    }

    /** The cursor of a row with separate columns: due time, type length, type bytes, key bytes. */
    public static DueCursor rowCursor(long remindAtMillis, byte[] type, byte[] key) {
        return DueCursor.of(ByteBuffer.allocate(12 + type.length + key.length).putLong(remindAtMillis)
                .putInt(type.length).put(type).put(key).array());
    }

    /**
     * Reads a cursor made by {@link #rowCursor} or {@link DueCursor#startingAt}.
     *
     * @throws IllegalArgumentException if it is of neither layout (it came from another kind of store)
     */
    public static Position position(DueCursor cursor) {
        byte[] b = cursor.bytes();
        ByteBuffer in = ByteBuffer.wrap(b);
        if (b.length == 8) {
            return new Position(in.getLong(), null, null);
        }
        if (b.length < 12) {
            throw new IllegalArgumentException("not a due cursor of this store (" + b.length + " bytes)");
        }
        long remindAt = in.getLong();
        int typeLength = in.getInt();
        if (typeLength < 0 || typeLength > b.length - 12) {
            throw new IllegalArgumentException("not a due cursor of this store (type length " + typeLength + ")");
        }
        return new Position(remindAt, Arrays.copyOfRange(b, 12, 12 + typeLength),
                Arrays.copyOfRange(b, 12 + typeLength, b.length));
    }
}

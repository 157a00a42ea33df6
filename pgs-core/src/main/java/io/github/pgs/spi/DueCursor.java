package io.github.pgs.spi;

import java.util.Arrays;
import java.util.Objects;

/**
 * A position in a store's due order for {@link Storage#due}: bytes that the store wrote into the
 * {@link DuePage} it returned and reads back when the caller passes them in. It holds the last row the store
 * read, so a scan moves on past rows it skipped. Callers hand cursors back, or start at an instant with
 * {@link #startingAt}.
 *
 * <h2>Layout</h2>
 * The first 8 bytes are the position's due time (epoch millis, big-endian); what follows is the store's own (ours
 * use {@code io.github.pgs.store.support.DuePageBuilder}). A cursor of exactly 8 bytes, as {@link #startingAt}
 * makes, is the position before every server due at that instant; every store accepts it.
 *
 * <p>Immutable; equality is by the bytes.
 */
public final class DueCursor {

    private final byte[] bytes;

    private DueCursor(byte[] bytes) {
        this.bytes = bytes;
    }

    /** The position before every server due at {@code remindAtMillis} or later. */
    public static DueCursor startingAt(long remindAtMillis) {
        byte[] b = new byte[8];
        for (int i = 7; i >= 0; i--) {
            b[i] = (byte) remindAtMillis;
            remindAtMillis >>>= 8;
        }
        return new DueCursor(b);
    }

    /** A cursor holding {@code bytes} (copied); for stores. */
    public static DueCursor of(byte[] bytes) {
        return new DueCursor(Objects.requireNonNull(bytes, "bytes").clone());
    }

    /** The bytes (a copy); for stores. */
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DueCursor c && Arrays.equals(bytes, c.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "DueCursor[" + bytes.length + " bytes]";
    }
}

package io.github.pgs.spi;

import io.github.pgs.ServerId;

import java.util.Arrays;
import java.util.Objects;

/**
 * A position in a type's key order for {@link Storage#list}: the exact bytes of a stored key (keys are ordered by
 * their UTF-8 bytes). A page's cursor holds the bytes of the last row the store read, whatever they are, so paging
 * moves on even past a row whose key is not valid UTF-8 (which the page reports as skipped instead of listing
 * it); a cursor is never a decoded, and possibly lossy, string.
 *
 * <p>{@link #text()} writes the bytes percent-encoded, as keys are written in server ids
 * ({@code player:Alice%20Smith}), and {@link #parse} reads that form back exactly; so a key as an operator writes
 * it and a cursor a tool printed are the same kind of argument.
 *
 * <p>Immutable; equality is by the bytes.
 */
public final class KeyCursor {

    private final byte[] bytes;

    private KeyCursor(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * The position of {@code key}: a listing from here starts with the first key after it.
     *
     * @throws IllegalArgumentException if the key holds an unpaired surrogate (it has no UTF-8 form)
     */
    public static KeyCursor after(String key) {
        return new KeyCursor(ServerId.encodeKey(key));
    }

    /** The position of the stored key {@code bytes} (copied), valid UTF-8 or not. */
    public static KeyCursor ofStoredBytes(byte[] bytes) {
        return new KeyCursor(bytes.clone());
    }

    /**
     * The cursor written by {@link #text()} (or any key percent-encoded as in a server id).
     *
     * @throws IllegalArgumentException if {@code text} is not percent-encoded ASCII
     */
    public static KeyCursor parse(String text) {
        return new KeyCursor(ServerId.percentDecode(Objects.requireNonNull(text, "text")));
    }

    /** The key bytes (a copy). */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** How many bytes the key has. */
    public int length() {
        return bytes.length;
    }

    /** The bytes percent-encoded: printable, log-safe, exact; {@link #parse} reads it back. */
    public String text() {
        return ServerId.percentEncode(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyCursor c && Arrays.equals(bytes, c.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "KeyCursor[" + text() + "]";
    }
}

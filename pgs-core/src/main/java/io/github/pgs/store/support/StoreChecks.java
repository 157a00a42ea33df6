package io.github.pgs.store.support;

import io.github.pgs.ServerId;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.spi.Storage;

import java.util.Objects;

/**
 * The argument checks every {@link Storage} makes before it touches its backend, with the messages and exception
 * types the storage contract promises. A store calls these first thing in each method, so that a malformed call
 * fails the same way on every store and never reaches a query, a script or a batch.
 *
 * <p>Stateless; every method is thread-safe.
 */
public final class StoreChecks {

    private StoreChecks() {
    }

    /**
     * The UTF-8 bytes of {@code key}, which is what stores keep and order by.
     *
     * @throws NullPointerException     if {@code key} is {@code null}
     * @throws IllegalArgumentException if {@code key} holds an unpaired surrogate: such a string has no UTF-8 form,
     *                                  and encoding it anyway would make two different keys share one stored row
     */
    public static byte[] keyBytes(String key) {
        return ServerId.encodeKey(key);
    }

    /**
     * The key (or type name) whose UTF-8 form is {@code stored}, or {@code null} if those bytes are not valid UTF-8:
     * for a store deciding how to read or bind what it found, never decoding lossily.
     */
    public static String utf8OrNull(byte[] stored) {
        try {
            return ServerId.decodeKey(stored);
        } catch (IllegalArgumentException notUtf8) {
            return null;
        }
    }

    /** {@code id}, checked for {@code null}. */
    public static ServerId id(ServerId id) {
        return Objects.requireNonNull(id, "id");
    }

    /** {@code write}, checked for {@code null} (the record checks its own fields). */
    public static StateWrite write(StateWrite write) {
        return Objects.requireNonNull(write, "write");
    }

    /**
     * {@code expectedVersion}, checked for a delete.
     *
     * @throws IllegalArgumentException if it is negative
     */
    public static long expectedVersion(long expectedVersion) {
        if (expectedVersion < 0) {
            throw new IllegalArgumentException("expectedVersion must be >= 0: " + expectedVersion);
        }
        return expectedVersion;
    }

    /**
     * {@code limit}, checked for a page.
     *
     * @throws IllegalArgumentException if it is below 1
     */
    public static int limit(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1: " + limit);
        }
        return limit;
    }

    /**
     * {@code type}, checked for {@code null}.
     *
     * @return whether a server can have this type name ({@link ServerId#isValidTypeName}); a store lists nothing
     *         for one that cannot, without asking its backend
     */
    public static boolean type(String type) {
        return ServerId.isValidTypeName(Objects.requireNonNull(type, "type"));
    }
}

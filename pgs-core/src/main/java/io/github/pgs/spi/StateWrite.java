package io.github.pgs.spi;

import io.github.pgs.ServerId;

import java.util.Objects;

/**
 * One version-checked write: store {@code payload} for {@code id} as version {@code expectedVersion + 1}, but
 * only if the stored version is {@code expectedVersion} (0 for "never saved"; a tombstone's version after a
 * delete).
 *
 * <p>With {@code historyDepth > 0}, the state being replaced (if it is a live state) is kept as history in the
 * same commit, and the history is pruned to the {@code historyDepth} most recent entries; see
 * {@link Storage#history}.
 *
 * @param id              the server
 * @param expectedVersion the version the writer loaded
 * @param payload         the encoded state (not {@code null}; may be empty)
 * @param schemaVersion   the schema version of the payload
 * @param historyDepth    how many replaced states to keep (0: none, and any history is dropped)
 */
public record StateWrite(ServerId id, long expectedVersion, byte[] payload, int schemaVersion, int historyDepth) {

    public StateWrite {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(payload, "payload");
        if (expectedVersion < 0) {
            throw new IllegalArgumentException("expectedVersion must be >= 0: " + expectedVersion);
        }
        if (historyDepth < 0) {
            throw new IllegalArgumentException("historyDepth must be >= 0: " + historyDepth);
        }
    }

    /** A write that keeps no history. */
    public StateWrite(ServerId id, long expectedVersion, byte[] payload, int schemaVersion) {
        this(id, expectedVersion, payload, schemaVersion, 0);
    }

    /** The version this write creates. */
    public long newVersion() {
        return expectedVersion + 1;
    }
}

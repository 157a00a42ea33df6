package io.github.pgs.spi;

import io.github.pgs.ServerId;

import java.util.Objects;

/**
 * One version-checked write: store {@code payload} for {@code id} as version {@code expectedVersion + 1}, but
 * only if the stored version is {@code expectedVersion} (0 for "never saved"; a tombstone's version after a
 * delete).
 *
 * @param id              the server
 * @param expectedVersion the version the writer loaded
 * @param payload         the encoded state (not {@code null}; may be empty)
 * @param schemaVersion   the schema version of the payload
 */
public record StateWrite(ServerId id, long expectedVersion, byte[] payload, int schemaVersion) {

    public StateWrite {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(payload, "payload");
        if (expectedVersion < 0) {
            throw new IllegalArgumentException("expectedVersion must be >= 0: " + expectedVersion);
        }
    }

    /** The version this write creates. */
    public long newVersion() {
        return expectedVersion + 1;
    }
}

package io.github.pgs.admin;

import java.time.Instant;
import java.util.Objects;

/**
 * One older state a store keeps for a server (types with a {@code historyDepth}), without its contents.
 *
 * @param version       the version this state had
 * @param schemaVersion its schema version
 * @param updatedAt     when it was written
 * @param payloadBytes  the size of its encoded form
 */
public record StoredVersion(long version, int schemaVersion, Instant updatedAt, int payloadBytes) {

    public StoredVersion {
        Objects.requireNonNull(updatedAt, "updatedAt");
    }
}

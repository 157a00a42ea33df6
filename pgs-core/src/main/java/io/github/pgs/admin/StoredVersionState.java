package io.github.pgs.admin;

import io.github.pgs.ServerId;

import java.time.Instant;
import java.util.Objects;

/**
 * One stored version of a server with its state rendered as text, as {@link Admin#inspectVersion} found it. The
 * state is rendered exactly as {@link ServerInfo#state()} is (see there), so two versions can be compared line by
 * line.
 *
 * @param id            the server
 * @param version       the version
 * @param schemaVersion the schema version it was written with
 * @param updatedAt     when it was written (the store's clock)
 * @param payloadBytes  the size of its encoded form
 * @param format        how {@link #state()} is rendered
 * @param state         the rendered state
 * @param stateTruncated whether {@code state} was cut at the admin's {@link StateText#maxChars()}
 */
public record StoredVersionState(ServerId id, long version, int schemaVersion, Instant updatedAt, int payloadBytes,
                                 ServerInfo.Format format, String state, boolean stateTruncated) {

    public StoredVersionState {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(updatedAt, "updatedAt");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(state, "state");
    }
}

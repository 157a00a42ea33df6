package io.github.pgs.admin;

import io.github.pgs.ServerId;

import java.time.Instant;
import java.util.Objects;

/**
 * One stored server in a listing: its identity, the stored record's metadata and its status.
 *
 * @param id            the server
 * @param version       the stored version (&ge; 1)
 * @param schemaVersion the schema version the state was written with
 * @param updatedAt     when the store last wrote the state (the store's clock)
 * @param payloadBytes  the size of the encoded state
 * @param status        active, petrified or quarantined in the admin's runtime, or just stored
 */
public record ServerEntry(ServerId id, long version, int schemaVersion, Instant updatedAt, int payloadBytes,
                          ServerStatus status) {

    public ServerEntry {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(updatedAt, "updatedAt");
        Objects.requireNonNull(status, "status");
    }

    /** The server's key. */
    public String key() {
        return id.key();
    }
}

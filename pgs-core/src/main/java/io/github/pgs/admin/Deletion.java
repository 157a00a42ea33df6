package io.github.pgs.admin;

import io.github.pgs.ServerId;

import java.util.Objects;

/**
 * The outcome of {@link Admin#delete}: the state was replaced by a tombstone.
 *
 * @param id               the server
 * @param tombstoneVersion the tombstone's version; the deleted state had the version before it
 */
public record Deletion(ServerId id, long tombstoneVersion) {

    public Deletion {
        Objects.requireNonNull(id, "id");
        if (tombstoneVersion < 2) {
            throw new IllegalArgumentException("a tombstone replacing a state has version >= 2: " + tombstoneVersion);
        }
    }

    /** The version of the state that was deleted. */
    public long deletedVersion() {
        return tombstoneVersion - 1;
    }
}

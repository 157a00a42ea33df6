package io.github.pgs.admin;

import io.github.pgs.GenServerException;
import io.github.pgs.ServerId;

/**
 * The server has no live stored state: it was never written, or it was deleted (a tombstone).
 */
public class NotStoredException extends GenServerException {

    private final long tombstoneVersion;

    public NotStoredException(ServerId serverId, long tombstoneVersion) {
        super(serverId, tombstoneVersion > 0 ? "no stored state (deleted; tombstone version " + tombstoneVersion + ")"
                : "no stored state");
        this.tombstoneVersion = tombstoneVersion;
    }

    /** The tombstone's version if the state was deleted, 0 if it was never written. */
    public long tombstoneVersion() {
        return tombstoneVersion;
    }

    /** Whether the state existed once and was deleted. */
    public boolean wasDeleted() {
        return tombstoneVersion > 0;
    }
}

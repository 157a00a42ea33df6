package io.github.pgs.internal;

import io.github.pgs.ServerId;
import io.github.pgs.VersionConflictException;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.spi.Storage;

/**
 * Remember-active markers: while a server of a {@code rememberActive} type is active, the store holds an empty
 * record for it under the reserved type {@value #TYPE} (key: the server id's text form), so that the next runtime
 * on the store revives it ({@link Recovery}). A server that stops being active drops its marker; a runtime that
 * closes keeps them (so a deployment restart brings the same servers back).
 */
final class ActiveMarkers {

    private static final System.Logger LOG = System.getLogger("io.github.pgs");
    /** The reserved type under which the markers are stored. */
    static final String TYPE = "pgs.active";
    private static final int ATTEMPTS = 5;

    private final Storage storage;

    ActiveMarkers(Storage storage) {
        this.storage = storage;
    }

    /**
     * Writes the marker of {@code id} and returns its version, or -1 if it could not be written. The marker may
     * change between the read and the write (the previous activation of the same server drops its own marker while
     * this one starts), so a version conflict reads again and retries.
     */
    long mark(ServerId id) {
        ServerId marker = new ServerId(TYPE, id.toString());
        for (int attempt = 1; ; attempt++) {
            try {
                long v = storage.load(marker).version();
                return storage.save(new StateWrite(marker, v, new byte[0], 1));
            } catch (VersionConflictException e) {
                if (attempt < ATTEMPTS) {
                    continue;
                }
                LOG.log(System.Logger.Level.WARNING, "could not mark " + id + " as active: " + e.getMessage());
                return -1;
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "could not mark " + id + " as active: " + e.getMessage());
                return -1;
            }
        }
    }

    void unmark(ServerId id, long markerVersion) {
        try {
            storage.delete(new ServerId(TYPE, id.toString()), markerVersion);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "could not unmark " + id + ": " + e.getMessage());
        }
    }
}

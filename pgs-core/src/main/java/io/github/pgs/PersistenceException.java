package io.github.pgs;

/**
 * The server's new state could not be made durable, so the reply was withheld. The in-memory state was
 * discarded; the next message reloads the server from storage. The cause says why (a
 * {@link VersionConflictException}, a {@link StorageException}, a {@link CodecException} or a
 * {@link StateTooLargeException}).
 */
public class PersistenceException extends GenServerException {

    public PersistenceException(ServerId serverId, Throwable cause) {
        super(serverId, "state not persisted, nothing acknowledged: " + cause.getMessage(), cause);
    }
}

package io.github.pgs;

/**
 * A store failed (I/O, connection, closed store). For writes, whether the write took effect may be unknown;
 * the runtime reloads before writing again, so the version fence keeps the state consistent.
 */
public class StorageException extends GenServerException {

    public StorageException(ServerId serverId, String message, Throwable cause) {
        super(serverId, message, cause);
    }

    public StorageException(String message, Throwable cause) {
        super(null, message, cause);
    }
}

package io.github.pgs;

/**
 * The root of every failure the library reports. Unchecked; subclasses carry the domain facts (server, versions,
 * limits) as fields, so callers can act on them without parsing messages. Messages never include state
 * contents or credentials.
 */
public class GenServerException extends RuntimeException {

    private final ServerId serverId;

    public GenServerException(ServerId serverId, String message) {
        this(serverId, message, null);
    }

    public GenServerException(ServerId serverId, String message, Throwable cause) {
        super(serverId == null ? message : serverId + ": " + message, cause);
        this.serverId = serverId;
    }

    /** The server concerned, or {@code null} if none. */
    public ServerId serverId() {
        return serverId;
    }
}

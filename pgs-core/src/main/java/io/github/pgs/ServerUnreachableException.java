package io.github.pgs;

/**
 * The server's owner could not be reached through the placement engine (a node that left or is not yet a member,
 * a shard that is moving past the engine's buffering). {@link #retrySafe()} says whether the message certainly was
 * not delivered, so sending it again cannot make it happen twice.
 */
public class ServerUnreachableException extends GenServerException {

    private final boolean retrySafe;

    /**
     * @param why       what the engine knows, without credentials
     * @param retrySafe whether the message certainly was not delivered
     */
    public ServerUnreachableException(ServerId serverId, String why, boolean retrySafe, Throwable cause) {
        super(serverId, "unreachable" + (retrySafe ? " (not delivered)" : " (delivery unknown)") + ": " + why,
                cause);
        this.retrySafe = retrySafe;
    }

    /** Whether the message certainly was not delivered (sending it again is safe). */
    public boolean retrySafe() {
        return retrySafe;
    }
}

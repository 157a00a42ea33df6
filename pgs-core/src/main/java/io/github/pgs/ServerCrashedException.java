package io.github.pgs;

/**
 * The server crashed while handling this call (its handler threw) or before it could reply. The cause is the
 * handler's exception. Under the default policy the server's last persisted state is kept.
 */
public class ServerCrashedException extends GenServerException {

    public ServerCrashedException(ServerId serverId, Throwable cause) {
        super(serverId, "server crashed: " + describe(cause), cause);
    }

    /**
     * A crash on another node, reported through a placement engine: {@code failure} describes the handler's
     * exception (class and message), which does not cross nodes itself; there is no cause.
     */
    public ServerCrashedException(ServerId serverId, String failure) {
        super(serverId, "server crashed: " + failure, null);
    }

    private static String describe(Throwable t) {
        return t == null ? "unknown cause"
                : t.getClass().getName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}

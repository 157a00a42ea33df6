package io.github.pgs;

/**
 * The server crashed while handling this call (its handler threw) or before it could reply. The cause is the
 * handler's exception. Under the default policy the server's last persisted state is kept.
 */
public class ServerCrashedException extends GenServerException {

    public ServerCrashedException(ServerId serverId, Throwable cause) {
        super(serverId, "server crashed: " + describe(cause), cause);
    }

    private static String describe(Throwable t) {
        return t == null ? "unknown cause" : t.getClass().getName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}

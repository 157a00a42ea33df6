package io.github.pgs;

/** The server stopped before replying to this call. */
public class ServerStoppedException extends GenServerException {

    private final StopReason reason;

    public ServerStoppedException(ServerId serverId, StopReason reason) {
        super(serverId, "server stopped (" + reason + ") without replying", reason.cause());
        this.reason = reason;
    }

    public StopReason reason() {
        return reason;
    }
}

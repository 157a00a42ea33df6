package io.github.pgs;

/** The behaviour's {@code init} returned {@code stop} or {@code ignore}, or threw; the server did not start. */
public class InitRejectedException extends GenServerException {

    private final StopReason reason;

    public InitRejectedException(ServerId serverId, StopReason reason) {
        super(serverId, reason == null ? "init ignored" : "init refused: " + reason,
                reason == null ? null : reason.cause());
        this.reason = reason;
    }

    /** The refusal's reason, or {@code null} when {@code init} returned {@code ignore}. */
    public StopReason reason() {
        return reason;
    }

    /** Whether {@code init} returned {@code ignore}. */
    public boolean ignored() {
        return reason == null;
    }
}

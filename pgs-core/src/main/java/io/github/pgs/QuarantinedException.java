package io.github.pgs;

/**
 * The server is quarantined: it crashed more often than its restart intensity allows, or its stored state could
 * not be decoded. Its stored state is kept untouched; calls fail fast until it is released or reset.
 * {@link #getCause()} is the last failure.
 */
public class QuarantinedException extends GenServerException {

    private final String lastFailure;

    public QuarantinedException(ServerId serverId, String lastFailure, Throwable cause) {
        super(serverId, "quarantined after: " + lastFailure, cause);
        this.lastFailure = lastFailure;
    }

    /** A description of the failure that quarantined the server. */
    public String lastFailure() {
        return lastFailure;
    }
}

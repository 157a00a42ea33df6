package io.github.pgs;

/** What the runtime does when a server crashes past its restart intensity, per type. */
public enum QuarantineAction {
    /**
     * The default: quarantine the server with its state untouched until an operator calls
     * {@link ServerRuntime#release}, {@link ServerRuntime#rollback} or {@link ServerRuntime#reset}.
     */
    WAIT_FOR_OPERATOR,
    /**
     * Roll the state back one version (needs {@code historyDepth >= 1}) and let the server run again; if no
     * older version is kept, quarantine as {@link #WAIT_FOR_OPERATOR}.
     */
    ROLLBACK,
    /** Wipe the state and let the server start fresh from its arguments through {@code init}. */
    RESET
}

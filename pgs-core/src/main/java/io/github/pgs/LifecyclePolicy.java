package io.github.pgs;

/**
 * What happens to a server's persisted state when it stops, per type. Names come from Erlang child specs.
 */
public enum LifecyclePolicy {
    /** Any stop, normal or crash, wipes the state; the next message starts fresh through {@code init}. */
    TEMPORARY,
    /**
     * The default: a normal stop wipes the state; a crash keeps the last persisted state and the next message
     * revives the server from it.
     */
    TRANSIENT,
    /**
     * Nothing wipes the state automatically (only an explicit delete); after a crash the server is restarted
     * eagerly from its last persisted state, within the type's restart intensity.
     */
    PERMANENT
}

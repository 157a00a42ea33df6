package io.github.pgs;

/**
 * When a server's changed state is written to storage, per type. What each mode can lose on a crash of the JVM
 * (or of the machine, for stores that sync to disk) is stated for each constant.
 */
public enum WriteMode {
    /**
     * The default. A changed state is durably written before the reply leaves the server and before the next
     * message is handled. Loses nothing that any caller was told about.
     */
    WRITE_THROUGH,
    /**
     * The reply leaves at once; a changed state is written within {@code writeBehindDelay}, and always before
     * the server petrifies, stops or its runtime closes. A crash loses the changes of at most the last
     * {@code writeBehindDelay}, although callers were answered.
     */
    WRITE_BEHIND,
    /**
     * State is written only when the server petrifies or stops (and when the runtime closes). A crash loses
     * every change since the server was activated.
     */
    ON_PETRIFY
}

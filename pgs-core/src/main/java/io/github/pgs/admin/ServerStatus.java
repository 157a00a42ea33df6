package io.github.pgs.admin;

import java.util.Locale;

/**
 * What an {@link Admin} knows about a stored server besides its stored state.
 *
 * <p>An admin built from a runtime reports {@link #ACTIVE}, {@link #PETRIFIED} or {@link #QUARANTINED}, as seen by
 * that runtime only: a server active in another runtime or JVM on the same store shows as petrified here. An
 * admin built from a bare store cannot tell and reports {@link #STORED}.
 */
public enum ServerStatus {

    /** Active in the admin's runtime: it holds the state in memory and handles messages. */
    ACTIVE,
    /** Stored and not active in the admin's runtime; the next message revives it. */
    PETRIFIED,
    /** Quarantined in the admin's runtime: messages fail fast until it is released, rolled back or reset. */
    QUARANTINED,
    /** Stored; the admin has no runtime to ask whether it is active. */
    STORED;

    /** The lower-case name, for tables and logs. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}

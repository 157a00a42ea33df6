package io.github.pgs.cluster.pekko;

import java.util.Objects;

/**
 * The cause of a failure that happened on another node, as far as it can cross: the class name and message of the
 * original exception, never the exception object itself (nothing is deserialized into arbitrary classes). It has
 * no stack trace of its own; the owning node's log has the original.
 */
public final class RemoteCause extends RuntimeException {

    private final String className;

    /**
     * @param className the original exception's class name
     * @param message   its message (may be {@code null})
     */
    public RemoteCause(String className, String message) {
        super(Objects.requireNonNull(className, "className") + (message == null ? "" : ": " + message), null,
                false, false);
        this.className = className;
    }

    /** The original exception's class name. */
    public String className() {
        return className;
    }
}

package io.github.pgs.jackson.internal;

/**
 * Stands in for an exception thrown by code the codec ran while decoding (a record's constructor, a JDK parser, a
 * user's deserializer): the same class name and stack trace, without the message, since such messages often quote
 * the value that was rejected, and stored values must never reach logs or callers. Its own cause stands in for the
 * original's cause the same way.
 */
public final class MessageWithheldException extends RuntimeException {

    private static final int MAX_CHAIN = 8;

    private final String originalClass;

    private MessageWithheldException(Throwable original, int depth) {
        super(original.getClass().getName() + " (its message is withheld: it may quote stored data)",
                depth < MAX_CHAIN && original.getCause() != null && original.getCause() != original
                        ? new MessageWithheldException(original.getCause(), depth + 1) : null);
        this.originalClass = original.getClass().getName();
        setStackTrace(original.getStackTrace());
    }

    /** {@code original} without its message, or {@code null} for {@code null}. */
    static MessageWithheldException of(Throwable original) {
        return original == null ? null : new MessageWithheldException(original, 0);
    }

    /** The binary name of the class of the exception this stands in for. */
    public String originalClass() {
        return originalClass;
    }
}

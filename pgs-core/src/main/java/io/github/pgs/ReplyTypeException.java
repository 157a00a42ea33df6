package io.github.pgs;

/**
 * A handler answered a {@link Call} with a value that is not of the reply type the request declares (the
 * {@code R} of {@code Call<R>}). The caller gets this instead of the value, so a wrong reply never surfaces as a
 * {@link ClassCastException} at the caller. The typed factories ({@link Results#reply(Call, Object, Object)},
 * {@link From#typed(Call)}) make this a compile-time error; it can still happen through the untyped escape
 * hatches (a hand-built {@link Reply}, a raw {@link From}). The server's state is not affected.
 */
public class ReplyTypeException extends GenServerException {

    private final String requestType;
    private final String expectedType;
    private final String actualType;

    /**
     * @param requestType  the request's class name
     * @param expectedType the declared reply type ({@code R} of {@code Call<R>}), as the compiler would write it
     * @param actualType   the class name of the value the handler replied
     */
    public ReplyTypeException(ServerId serverId, String requestType, String expectedType, String actualType) {
        super(serverId, "the reply to " + requestType + " must be a " + expectedType + " but the handler replied a "
                + actualType);
        this.requestType = requestType;
        this.expectedType = expectedType;
        this.actualType = actualType;
    }

    /** The request's class name. */
    public String requestType() {
        return requestType;
    }

    /** The reply type the request declares. */
    public String expectedType() {
        return expectedType;
    }

    /** The class name of the value the handler replied. */
    public String actualType() {
        return actualType;
    }
}

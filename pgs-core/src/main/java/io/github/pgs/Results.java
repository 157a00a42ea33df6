package io.github.pgs;

/**
 * Factories for handler results, meant for static import:
 *
 * <pre>{@code
 * import static io.github.pgs.Results.*;
 *
 * return reply(state.score(), state);                 // reply, persist if changed
 * return noreply(state.withScore(s + 1)).noPersist(); // keep in memory only
 * return stop(StopReason.NORMAL, "bye", state);       // reply, then stop
 * }</pre>
 */
public final class Results {

    private Results() {
    }

    /** Reply {@code value} and continue with {@code state}. */
    public static <S> Reply<S> reply(Object value, S state) {
        return new Reply<>(value, state, true, null);
    }

    /** Continue with {@code state} without replying now. */
    public static <S> NoReply<S> noreply(S state) {
        return new NoReply<>(state, true, null);
    }

    /** Stop with {@code reason}; a waiting caller gets {@link ServerStoppedException}. */
    public static <S> Stop<S> stop(StopReason reason, S state) {
        return new Stop<>(reason, null, false, state, true);
    }

    /** Reply {@code value}, then stop with {@code reason}. */
    public static <S> Stop<S> stop(StopReason reason, Object value, S state) {
        return new Stop<>(reason, value, true, state, true);
    }
}

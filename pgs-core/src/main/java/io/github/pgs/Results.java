package io.github.pgs;

/**
 * Factories for handler results, meant for static import:
 *
 * <pre>{@code
 * import static io.github.pgs.Results.*;
 *
 * case ReadScore r -> reply(r, state.score(), state);           // reply, persist if changed
 * case Bump b -> reply(b, s + 1, state.withScore(s + 1)).noPersist(); // keep in memory only
 * case Quit q -> stop(StopReason.NORMAL, q, "bye", state);       // reply, then stop
 * }</pre>
 *
 * <p>Replies are typed by their request: {@code reply(request, value, state)} compiles only if {@code value} is
 * the {@code R} of the request's {@code Call<R>}, so a caller never receives a value of the wrong type.
 */
public final class Results {

    private Results() {
    }

    /** Reply {@code value} to {@code request} and continue with {@code state}. */
    public static <R, S> Reply<S> reply(Call<R> request, R value, S state) {
        java.util.Objects.requireNonNull(request, "request");
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

    /** Reply {@code value} to {@code request}, then stop with {@code reason}. */
    public static <R, S> Stop<S> stop(StopReason reason, Call<R> request, R value, S state) {
        java.util.Objects.requireNonNull(request, "request");
        return new Stop<>(reason, value, true, state, true);
    }
}

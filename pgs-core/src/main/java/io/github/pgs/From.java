package io.github.pgs;

/**
 * The caller of a {@link GenServer#handleCall} that is waiting for its reply: the handle for a deferred reply.
 *
 * <p>A handler that cannot answer yet returns {@link Results#noreply} and keeps the caller in its live state
 * (use a state mapping so it is never persisted); a later handler answers with {@link #reply}. The handler
 * receives it as {@code From<?>}; {@link #typed(Call)} gives it the request's reply type, so that the compiler
 * checks every later {@link #reply}:
 *
 * <pre>{@code
 * case Await a -> {
 *     From<Long> caller = from.typed(a);          // Await implements Call<Long>
 *     yield noreply(state.withWaiting(caller));   // later: caller.reply(42L)
 * }
 * }</pre>
 *
 * <p>Thread-safety: may be called from any thread, at most once taking effect. A reply given from inside a
 * handler of the owning server is delivered only after that handler's new state is durable (persist-then-reply);
 * a reply given from any other thread is delivered at once. A reply to a caller that already timed out is
 * dropped. A value that is not of the request's declared reply type (possible only through an unchecked cast)
 * fails the caller with {@link ReplyTypeException} instead.
 *
 * @param <R> the reply type the caller expects
 */
public interface From<R> {

    /** Delivers {@code value} to the waiting caller. Returns {@code false} if the caller was already answered. */
    boolean reply(R value);

    /** Fails the waiting caller with {@code error}. Returns {@code false} if the caller was already answered. */
    boolean fail(RuntimeException error);

    /** The server the call was made to. */
    ServerId server();

    /**
     * This caller, typed by its request: {@code request} must be the very request this caller sent (the one
     * {@code handleCall} received with it).
     *
     * @throws IllegalArgumentException if {@code request} is another request
     */
    <T> From<T> typed(Call<T> request);
}

package io.github.pgs;

/**
 * The caller of a {@link GenServer#handleCall} that is waiting for its reply: the handle for a deferred reply.
 *
 * <p>A handler that cannot answer yet returns {@link Results#noreply} and keeps the {@code From} in its live
 * state (use a state mapping so it is never persisted); a later handler answers with {@link #reply}.
 *
 * <p>Thread-safety: may be called from any thread, at most once taking effect. A reply given from inside a
 * handler of the owning server is delivered only after that handler's new state is durable (persist-then-reply);
 * a reply given from any other thread is delivered at once. A reply to a caller that already timed out is
 * dropped.
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
}

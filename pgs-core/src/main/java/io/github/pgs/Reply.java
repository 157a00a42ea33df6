package io.github.pgs;

import java.util.Objects;

/**
 * Reply {@code reply} to the caller and continue with {@code state}. Build it with
 * {@link Results#reply(Call, Object, Object)}, which checks the reply's type at compile time; a hand-built one
 * whose value is not of the request's reply type fails the caller with {@link ReplyTypeException}.
 *
 * @param reply        the value the caller receives (may be {@code null})
 * @param state        the new state (never {@code null})
 * @param persist      whether the new state is persisted (default {@code true})
 * @param continueWith a follow-up message for {@link GenServer#handleContinue}, handled before any other
 *                     message, or {@code null}
 * @param <S>          the state type
 */
public record Reply<S>(Object reply, S state, boolean persist, Object continueWith) implements CallResult<S> {

    public Reply {
        Objects.requireNonNull(state, "state");
    }

    /** The same result, but the new state is not persisted (it stays in memory only). */
    public Reply<S> noPersist() {
        return new Reply<>(reply, state, false, continueWith);
    }

    /** The same result, followed by {@link GenServer#handleContinue} with {@code message}. */
    public Reply<S> thenContinue(Object message) {
        return new Reply<>(reply, state, persist, Objects.requireNonNull(message, "message"));
    }
}

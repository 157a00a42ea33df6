package io.github.pgs;

import java.util.Objects;

/**
 * What {@link GenServer#init} decides: start with a state ({@link #ok}), refuse to start with a reason
 * ({@link #stop}), or not start at all ({@link #ignore}).
 *
 * @param <S> the state type
 */
public sealed interface Init<S> {

    /** Start with {@code state}. */
    static <S> Ok<S> ok(S state) {
        return new Ok<>(state, null);
    }

    /** Do not start; callers fail with {@link InitRejectedException} carrying {@code reason}. */
    static <S> Init<S> stop(StopReason reason) {
        return new Refuse<>(Objects.requireNonNull(reason, "reason"));
    }

    /** Do not start, without an error reason; callers fail with {@link InitRejectedException}. */
    static <S> Init<S> ignore() {
        return new Ignore<>();
    }

    /**
     * Start with {@code state}; {@code continueWith}, if not {@code null}, is handed to
     * {@link GenServer#handleContinue} before the first message.
     */
    record Ok<S>(S state, Object continueWith) implements Init<S> {
        public Ok {
            Objects.requireNonNull(state, "state");
        }

        /** The same start, followed by {@link GenServer#handleContinue} with {@code message}. */
        public Ok<S> thenContinue(Object message) {
            return new Ok<>(state, Objects.requireNonNull(message, "message"));
        }
    }

    /** Refuse to start, with a reason. */
    record Refuse<S>(StopReason reason) implements Init<S> {
    }

    /** Do not start. */
    record Ignore<S>() implements Init<S> {
    }
}

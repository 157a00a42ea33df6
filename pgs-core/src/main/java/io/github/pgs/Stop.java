package io.github.pgs;

import java.util.Objects;

/**
 * Stop the server with {@code reason}, after (for {@code handleCall}) replying {@code reply}. Build it with
 * {@link Results#stop(StopReason, Object)} or {@link Results#stop(StopReason, Call, Object, Object)} (typed); a
 * hand-built reply of the wrong type fails the caller with {@link ReplyTypeException}.
 *
 * <p>The state is persisted first unless {@link #persist()} is {@code false}; then
 * {@link GenServer#terminate} runs and the type's {@link LifecyclePolicy} decides whether the stored state is
 * wiped. A reply is delivered only after that, so a caller that sees it can rely on the outcome.
 *
 * @param reason   why the server stops
 * @param reply    the reply for a {@code handleCall} caller (ignored elsewhere)
 * @param hasReply whether {@code reply} is to be delivered (a {@code handleCall} stop without reply makes the
 *                 caller fail with {@link ServerStoppedException})
 * @param state    the final state (never {@code null})
 * @param persist  whether the final state is persisted before stopping
 * @param <S>      the state type
 */
public record Stop<S>(StopReason reason, Object reply, boolean hasReply, S state, boolean persist)
        implements CastResult<S> {

    public Stop {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(state, "state");
    }

    /** The same result, but the final state is not persisted. */
    public Stop<S> noPersist() {
        return new Stop<>(reason, reply, hasReply, state, false);
    }
}

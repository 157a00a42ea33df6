package io.github.pgs;

/**
 * A volatile timer set from a handler through {@link ServerContext}. It lives only as long as the activation
 * that set it: petrify, stop and crash cancel it (durable reminders are the tool for waking a petrified
 * server).
 */
public interface TimerRef {

    /** Cancels the timer; returns {@code false} if it had already fired (one-shot) or was cancelled. */
    boolean cancel();

    /** Whether the timer will still fire. */
    boolean isActive();
}

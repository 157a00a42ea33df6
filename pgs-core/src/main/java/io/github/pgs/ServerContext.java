package io.github.pgs;

import io.github.pgs.internal.Registry;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * What a handler can reach of its own server while it runs: its ref and volatile timers. Obtain it with
 * {@link #current()} inside {@code init}'s continuation or any {@code handle*} method.
 *
 * <pre>{@code
 * public CastResult<State> handleCast(Object msg, State s) {
 *     ServerContext.current().sendAfter(new Tick(), Duration.ofSeconds(1));   // handleInfo(Tick) in 1 s
 *     return noreply(s);
 * }
 * }</pre>
 *
 * <p>Timers deliver their message to {@link GenServer#handleInfo}. They die with the activation (documented
 * in the guide): a petrified server has no timers. A timer that {@code keepsAlive} holds off petrification while
 * it is pending; others do not.
 *
 * <p>Durable reminders ({@link #remindAt}, {@link #remindEvery}) are different: they are stored with the state,
 * in the same commit as the handler's result, and fire {@link ReminderFired} into {@code handleInfo} even when
 * the server is petrified or the whole application restarted. They are removed when the state is wiped. Delivery
 * is at least once; see {@link ReminderFired}.
 *
 * <p>Not thread-safe by design: use it only on the handler's thread, during the handler.
 */
public final class ServerContext {

    private final Registry.Turn activation;
    private final ServerRef self;

    private ServerContext(Registry.Turn activation, ServerRef self) {
        this.activation = activation;
        this.self = self;
    }

    /**
     * The context of the server whose handler is running on this thread.
     *
     * @throws IllegalStateException outside a handler
     */
    public static ServerContext current() {
        Registry.Turn turn = Registry.currentTurn();
        if (turn == null) {
            throw new IllegalStateException("ServerContext.current() is only available inside a handler");
        }
        return new ServerContext(turn, new ServerRef(turn.self()));
    }

    /** This server's ref. */
    public ServerRef self() {
        return self;
    }

    /** This server's identity. */
    public ServerId id() {
        return self.id();
    }

    /** Delivers {@code message} to {@code handleInfo} once, after {@code delay}; does not keep the server alive. */
    public TimerRef sendAfter(Object message, Duration delay) {
        return sendAfter(message, delay, false);
    }

    /**
     * Delivers {@code message} to {@code handleInfo} once, after {@code delay}.
     *
     * @param keepsAlive whether the pending timer holds off petrification
     */
    public TimerRef sendAfter(Object message, Duration delay, boolean keepsAlive) {
        return activation.timer(Objects.requireNonNull(message, "message"), requirePositive(delay), false,
                keepsAlive);
    }

    /**
     * Delivers {@code message} to {@code handleInfo} every {@code period} until cancelled or the activation ends.
     *
     * @param keepsAlive whether the timer holds off petrification (then the server stays active until it is
     *                   cancelled)
     */
    public TimerRef sendInterval(Object message, Duration period, boolean keepsAlive) {
        return activation.timer(Objects.requireNonNull(message, "message"), requirePositive(period), true,
                keepsAlive);
    }

    /** Schedules (or replaces) the one-shot durable reminder {@code name} at {@code at}; missed ticks fire once. */
    public void remindAt(String name, Instant at) {
        remindAt(name, at, MissedTicks.FIRE_ONCE);
    }

    /**
     * Schedules (or replaces) the one-shot durable reminder {@code name} at {@code at}, delivered as
     * {@link ReminderFired} to {@code handleInfo}. Written with this turn's state.
     *
     * @throws IllegalArgumentException      for an empty name, one longer than 255 UTF-8 bytes, or a server with
     *                                       1,000 reminders already
     * @throws UnsupportedOperationException on an ephemeral runtime or a store without reminders
     */
    public void remindAt(String name, Instant at, MissedTicks missed) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(at, "at");
        activation.remind(name, Math.max(1, at.toEpochMilli()), 0, Objects.requireNonNull(missed, "missed"));
    }

    /** Schedules (or replaces) the one-shot durable reminder {@code name} in {@code delay}; missed ticks fire once. */
    public void remindAfter(String name, Duration delay) {
        remindAt(name, now().plus(requirePositive(delay)));
    }

    /** Schedules (or replaces) the periodic durable reminder {@code name}, first in one {@code period}. */
    public void remindEvery(String name, Duration period) {
        remindEvery(name, now().plus(requirePositive(period)), period, MissedTicks.FIRE_ONCE);
    }

    /**
     * Schedules (or replaces) the periodic durable reminder {@code name}: first at {@code first}, then every
     * {@code period} (at least 1 ms) until cancelled or the state is wiped.
     */
    public void remindEvery(String name, Instant first, Duration period, MissedTicks missed) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(first, "first");
        long p = requirePositive(period).toMillis();
        if (p < 1) {
            throw new IllegalArgumentException("a reminder period must be at least 1 ms: " + period);
        }
        activation.remind(name, Math.max(1, first.toEpochMilli()), p, Objects.requireNonNull(missed, "missed"));
    }

    /** Removes the durable reminder {@code name} (with this turn's commit); whether there was one. */
    public boolean cancelReminder(String name) {
        return activation.cancelReminder(Objects.requireNonNull(name, "name"));
    }

    /** This server's durable reminders by name, as they stand in this turn. */
    public Map<String, Reminder> reminders() {
        return activation.reminders();
    }

    private Instant now() {
        return Instant.ofEpochMilli(activation.wallClockMillis());
    }

    private static Duration requirePositive(Duration d) {
        Objects.requireNonNull(d, "delay");
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("delay must be positive: " + d);
        }
        return d;
    }
}

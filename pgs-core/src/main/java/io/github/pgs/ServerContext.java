package io.github.pgs;

import io.github.pgs.internal.Activation;

import java.time.Duration;
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
 * <p>Not thread-safe by design: use it only on the handler's thread, during the handler.
 */
public final class ServerContext {

    private final Activation<?, ?> activation;
    private final ServerRef self;

    private ServerContext(Activation<?, ?> activation, ServerRef self) {
        this.activation = activation;
        this.self = self;
    }

    /**
     * The context of the server whose handler is running on this thread.
     *
     * @throws IllegalStateException outside a handler
     */
    public static ServerContext current() {
        Activation<?, ?> a = Activation.current();
        if (a == null) {
            throw new IllegalStateException("ServerContext.current() is only available inside a handler");
        }
        return new ServerContext(a, a.self());
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

    private static Duration requirePositive(Duration d) {
        Objects.requireNonNull(d, "delay");
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("delay must be positive: " + d);
        }
        return d;
    }
}

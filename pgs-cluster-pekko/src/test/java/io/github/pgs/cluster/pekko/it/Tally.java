package io.github.pgs.cluster.pekko.it;

import io.github.pgs.Call;
import io.github.pgs.CallResult;
import io.github.pgs.CastResult;
import io.github.pgs.From;
import io.github.pgs.GenServer;
import io.github.pgs.Init;
import io.github.pgs.ReminderFired;
import io.github.pgs.ServerContext;

import java.time.Duration;

import static io.github.pgs.Results.noreply;
import static io.github.pgs.Results.reply;

/**
 * The cluster tests' behaviour: counts the calls ({@link Inc}, acknowledged with the new count), the casts
 * ({@link Add}) and the durable reminder ticks it handled. An acknowledged count that appears twice, or a stored
 * count below an acknowledged one, is a lost or forked write.
 */
public final class Tally implements GenServer<String, Tally.State> {

    /** What is persisted. */
    public record State(long calls, long casts, long reminders) {}

    /** Adds one call; replies the new call count. */
    public record Inc() implements Call<Long> {}

    /** Replies the whole state. */
    public record Read() implements Call<State> {}

    /** Adds one cast. */
    public record Add() {}

    /** Sets a durable reminder due in {@code millis}; replies the call count. */
    public record RemindIn(long millis) implements Call<Long> {}

    @Override
    public Init<State> init(String key) {
        return Init.ok(new State(0, 0, 0));
    }

    @Override
    public CallResult<State> handleCall(Call<?> request, From<?> from, State s) {
        return switch (request) {
            case Inc i -> {
                State next = new State(s.calls() + 1, s.casts(), s.reminders());
                yield reply(i, next.calls(), next);
            }
            case Read r -> reply(r, s, s);
            case RemindIn r -> {
                ServerContext.current().remindAfter("tick", Duration.ofMillis(r.millis()));
                yield reply(r, s.calls(), s);
            }
            default -> throw new IllegalArgumentException("unknown request " + request);
        };
    }

    @Override
    public CastResult<State> handleCast(Object message, State s) {
        if (message instanceof Add) {
            return noreply(new State(s.calls(), s.casts() + 1, s.reminders()));
        }
        throw new IllegalArgumentException("unknown message " + message);
    }

    @Override
    public CastResult<State> handleInfo(Object message, State s) {
        if (message instanceof ReminderFired) {
            return noreply(new State(s.calls(), s.casts(), s.reminders() + 1));
        }
        return noreply(s);
    }
}

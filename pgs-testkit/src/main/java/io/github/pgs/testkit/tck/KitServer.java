package io.github.pgs.testkit.tck;

import io.github.pgs.Call;
import io.github.pgs.CallResult;
import io.github.pgs.CastResult;
import io.github.pgs.From;
import io.github.pgs.GenServer;
import io.github.pgs.Init;
import io.github.pgs.ReminderFired;
import io.github.pgs.ServerContext;

import java.time.Instant;

import static io.github.pgs.Results.noreply;
import static io.github.pgs.Results.reply;

/**
 * The behaviour {@link HostileRowContract} runs beside the hostile rows: a counter that can set a durable reminder
 * and counts the reminders fired to it. Its state is a plain record, so any state codec stores it.
 */
public final class KitServer implements GenServer<String, KitServer.State> {

    /** The count, and how many reminders fired. */
    public record State(long count, long fired) {
    }

    /** Adds {@code n}; replies with the new count. */
    public record Add(long n) implements Call<Long> {
    }

    /** Replies with the state. */
    public record Get() implements Call<State> {
    }

    /** Sets the durable reminder {@code kit} for {@code atMillis}; replies {@code true}. */
    public record RemindAt(long atMillis) implements Call<Boolean> {
    }

    @Override
    public Init<State> init(String key) {
        return Init.ok(new State(0, 0));
    }

    @Override
    public CallResult<State> handleCall(Call<?> request, From<?> from, State s) {
        return switch (request) {
            case Add a -> reply(a, s.count() + a.n(), new State(s.count() + a.n(), s.fired()));
            case Get g -> reply(g, s, s);
            case RemindAt r -> {
                ServerContext.current().remindAt("kit", Instant.ofEpochMilli(r.atMillis()));
                yield reply(r, true, s);
            }
            default -> throw new IllegalArgumentException("unknown call " + request.getClass().getName());
        };
    }

    @Override
    public CastResult<State> handleInfo(Object message, State s) {
        return message instanceof ReminderFired ? noreply(new State(s.count(), s.fired() + 1)) : noreply(s);
    }
}

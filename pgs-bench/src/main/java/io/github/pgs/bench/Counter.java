package io.github.pgs.bench;

import io.github.pgs.Call;
import io.github.pgs.CallResult;
import io.github.pgs.CastResult;
import io.github.pgs.From;
import io.github.pgs.GenServer;
import io.github.pgs.Init;
import io.github.pgs.MissedTicks;
import io.github.pgs.ReminderFired;
import io.github.pgs.ServerContext;
import io.github.pgs.TypeName;

import java.time.Instant;
import java.util.concurrent.atomic.LongAdder;

import static io.github.pgs.Results.noreply;
import static io.github.pgs.Results.reply;

/**
 * The benchmark entity shared with the peer harnesses: a counter whose state is {@code {long count}}.
 * {@link Increment} replies the new count, {@link Get} the current one. A fresh counter starts at 0.
 *
 * <p>For the reminder scenario, {@link RemindAt} schedules a one-shot durable reminder and each delivered reminder
 * adds one to the count.
 *
 * <p>The type name is pinned to {@code Counter} so that stored states written by one run (S2 seeds them
 * through the storage SPI) are found by the next.
 */
@TypeName(Counter.TYPE)
public final class Counter implements GenServer<String, Counter.State> {

    /** The type name under which counters are stored. */
    public static final String TYPE = "Counter";
    /** The one {@link Increment} instance (requests are values; sharing one allocates nothing per call). */
    public static final Increment INCREMENT = new Increment();
    /** The one {@link Get} instance. */
    public static final Get GET = new Get();

    /** The persisted state. */
    public record State(long count) {
    }

    /** Adds one; replies the new count. */
    public record Increment() implements Call<Long> {
    }

    /** Replies the count without changing it (so nothing is written for a counter that was already stored). */
    public record Get() implements Call<Long> {
    }

    /** Schedules the durable reminder {@code tick} at {@code at}; replies the count. */
    public record RemindAt(Instant at) implements Call<Long> {
    }

    /** Reminders delivered to counters in this JVM (crashed deliveries included). */
    public static final LongAdder REMINDERS_DELIVERED = new LongAdder();

    @Override
    public Init<State> init(String key) {
        return Init.ok(new State(0));
    }

    @Override
    public CallResult<State> handleCall(Call<?> request, From<?> from, State s) {
        return switch (request) {
            case Increment i -> {
                State next = new State(s.count() + 1);
                yield reply(i, next.count(), next);
            }
            case Get g -> reply(g, s.count(), s);
            case RemindAt r -> {
                ServerContext.current().remindAt("tick", r.at(), MissedTicks.FIRE_ONCE);
                yield reply(r, s.count(), s);
            }
            default -> throw new IllegalArgumentException("unknown request " + request);
        };
    }

    @Override
    public CastResult<State> handleInfo(Object message, State s) {
        if (message instanceof ReminderFired) {
            REMINDERS_DELIVERED.increment();
            return noreply(new State(s.count() + 1));
        }
        return noreply(s);
    }
}

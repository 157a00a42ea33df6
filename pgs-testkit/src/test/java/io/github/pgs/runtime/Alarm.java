package io.github.pgs.runtime;

import io.github.pgs.Call;
import io.github.pgs.CallResult;
import io.github.pgs.CastResult;
import io.github.pgs.From;
import io.github.pgs.GenServer;
import io.github.pgs.Init;
import io.github.pgs.MissedTicks;
import io.github.pgs.Reminder;
import io.github.pgs.ReminderFired;
import io.github.pgs.ServerContext;
import io.github.pgs.StopReason;
import io.github.pgs.TypeName;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.github.pgs.Results.noreply;
import static io.github.pgs.Results.reply;
import static io.github.pgs.Results.stop;

/** A behaviour that schedules durable reminders and records, in its state, each one delivered to it. */
@TypeName("alarm")
public final class Alarm implements GenServer<String, Alarm.State> {

    /** Fired reminders as {@code name@dueMillis}, in delivery order. */
    public record State(List<String> fired) {
        State with(String entry) {
            List<String> f = new ArrayList<>(fired);
            f.add(entry);
            return new State(f);
        }
    }

    public record At(String name, Instant at, MissedTicks missed) implements Call<Boolean> {}
    public record After(String name, Duration delay) implements Call<Boolean> {}
    public record Every(String name, Instant first, Duration period, MissedTicks missed) implements Call<Boolean> {}
    public record Cancel(String name) implements Call<Boolean> {}
    public record Fired() implements Call<List<String>> {}
    public record Scheduled() implements Call<Map<String, Reminder>> {}
    /** Schedules a reminder and then throws: neither the reminder nor anything else of the turn is kept. */
    public record AtThenBoom(String name, Instant at) implements Call<Boolean> {}
    /** Schedules a reminder in a turn that asks not to persist. */
    public record AtNoPersist(String name, Instant at) implements Call<Boolean> {}
    public record Many(int count, Instant at) implements Call<Integer> {}
    public record Done() implements Call<String> {}
    /** Schedules a reminder and replies, then runs a follow-up that waits for {@link #CONTINUE_GATE}. */
    public record AtThenContinue(String name, Instant at) implements Call<Boolean> {}

    /** Deliveries that crash before being recorded, counted down across activations. */
    public static final AtomicInteger CRASH_NEXT_DELIVERIES = new AtomicInteger();
    /** Every delivery the behaviour saw, crashed or not, as {@code key:name@dueMillis}. */
    public static final List<String> DELIVERIES = java.util.Collections.synchronizedList(new ArrayList<>());

    /** What a follow-up of {@link AtThenContinue} waits for. */
    public static volatile CountDownLatch CONTINUE_GATE = new CountDownLatch(0);

    public static void reset() {
        CONTINUE_GATE = new CountDownLatch(0);
        CRASH_NEXT_DELIVERIES.set(0);
        DELIVERIES.clear();
    }

    @Override
    public Init<State> init(String key) {
        return Init.ok(new State(List.of()));
    }

    @Override
    public CallResult<State> handleCall(Call<?> request, From<?> from, State s) {
        ServerContext ctx = ServerContext.current();
        return switch (request) {
            case At a -> {
                ctx.remindAt(a.name(), a.at(), a.missed());
                yield reply(a, true, s);
            }
            case After a -> {
                ctx.remindAfter(a.name(), a.delay());
                yield reply(a, true, s);
            }
            case Every e -> {
                ctx.remindEvery(e.name(), e.first(), e.period(), e.missed());
                yield reply(e, true, s);
            }
            case Cancel c -> reply(c, ctx.cancelReminder(c.name()), s);
            case Fired f -> reply(f, s.fired(), s);
            case Scheduled q -> reply(q, ctx.reminders(), s);
            case AtThenBoom b -> {
                ctx.remindAt(b.name(), b.at());
                throw new IllegalStateException("boom after scheduling " + b.name());
            }
            case AtNoPersist a -> {
                ctx.remindAt(a.name(), a.at());
                yield reply(a, true, s).noPersist();
            }
            case Many m -> {
                for (int i = 0; i < m.count(); i++) {
                    ctx.remindAt("r" + i, m.at());
                }
                yield reply(m, m.count(), s);
            }
            case AtThenContinue a -> {
                ctx.remindAt(a.name(), a.at());
                yield reply(a, true, s).thenContinue("after " + a.name());
            }
            case Done d -> stop(StopReason.NORMAL, d, "bye", s);
            default -> throw new IllegalArgumentException("unknown call " + request);
        };
    }

    @Override
    public CastResult<State> handleContinue(Object message, State s) {
        try {
            if (!CONTINUE_GATE.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the gate of " + message + " never opened");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted in " + message, e);
        }
        return noreply(s);
    }

    @Override
    public CastResult<State> handleInfo(Object message, State s) {
        if (message instanceof ReminderFired f) {
            String entry = f.name() + "@" + f.due().toEpochMilli();
            DELIVERIES.add(ServerContext.current().id().key() + ":" + entry);
            if (CRASH_NEXT_DELIVERIES.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new IllegalStateException("crashed delivering " + entry);
            }
            return noreply(s.with(entry));
        }
        return noreply(s);
    }
}

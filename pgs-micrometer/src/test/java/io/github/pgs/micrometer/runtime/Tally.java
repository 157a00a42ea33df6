package io.github.pgs.micrometer.runtime;

import io.github.pgs.Call;
import io.github.pgs.CallResult;
import io.github.pgs.CastResult;
import io.github.pgs.From;
import io.github.pgs.GenServer;
import io.github.pgs.Init;
import io.github.pgs.ReminderFired;
import io.github.pgs.ServerContext;
import io.github.pgs.ServerRuntime;
import io.github.pgs.StopReason;
import io.github.pgs.TypeName;
import io.github.pgs.testkit.ManualTime;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.github.pgs.Results.noreply;
import static io.github.pgs.Results.reply;
import static io.github.pgs.Results.stop;

/** A counter with a message for every path the observer hears of. */
@TypeName("tally")
public final class Tally implements GenServer<String, Tally.State> {

    public record State(long n) {
    }

    public record Get() implements Call<Long> {
    }

    public record Inc() implements Call<Long> {
    }

    /** Takes {@code millis} of the test's manual clock inside the handler. */
    public record Slow(long millis) implements Call<Long> {
    }

    public record Boom() implements Call<Long> {
    }

    /** Waits for {@link #hang} to open. */
    public record Hang() implements Call<Long> {
    }

    /** Calls the tally {@code other} from inside this handler. */
    public record Ask(String other) implements Call<Long> {
    }

    public record StopMe() implements Call<String> {
    }

    /** Sets a volatile timer that sends {@link Tick} after {@code millis}. */
    public record Later(long millis) implements Call<Long> {
    }

    /** Sets a durable reminder due after {@code millis}. */
    public record RemindIn(long millis) implements Call<Long> {
    }

    public record Add(long k) {
    }

    public record Tick() {
    }

    static volatile ManualTime clock;
    static volatile ServerRuntime runtime;
    static volatile CountDownLatch hang = new CountDownLatch(0);
    static volatile CountDownLatch hanging = new CountDownLatch(1);

    @Override
    public Init<State> init(String key) {
        return Init.ok(new State(0));
    }

    @Override
    public CallResult<State> handleCall(Call<?> request, From<?> from, State s) {
        return switch (request) {
            case Get g -> reply(g, s.n(), s);
            case Inc i -> reply(i, s.n() + 1, new State(s.n() + 1));
            case Slow sl -> {
                clock.advance(Duration.ofMillis(sl.millis()));
                yield reply(sl, s.n() + 1, new State(s.n() + 1));
            }
            case Boom b -> throw new IllegalStateException("boom");
            case Hang h -> {
                hanging.countDown();
                try {
                    hang.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                yield reply(h, s.n(), s);
            }
            case Ask a -> reply(a, runtime.ref(Tally.class, a.other()).call(new Get()), s);
            case StopMe m -> stop(StopReason.NORMAL, m, "bye", s);
            case Later l -> {
                ServerContext.current().sendAfter(new Tick(), Duration.ofMillis(l.millis()));
                yield reply(l, s.n(), s);
            }
            case RemindIn r -> {
                ServerContext.current().remindAfter("r", Duration.ofMillis(r.millis()));
                yield reply(r, s.n(), new State(s.n()));
            }
            default -> throw new IllegalArgumentException("unknown " + request);
        };
    }

    @Override
    public CastResult<State> handleCast(Object message, State s) {
        return noreply(new State(s.n() + ((Add) message).k()));
    }

    @Override
    public CastResult<State> handleInfo(Object message, State s) {
        return switch (message) {
            case Tick t -> noreply(new State(s.n() + 100));
            case ReminderFired r -> noreply(new State(s.n() + 1000));
            default -> noreply(s);
        };
    }
}

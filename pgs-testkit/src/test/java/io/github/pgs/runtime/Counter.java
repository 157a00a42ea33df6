package io.github.pgs.runtime;

import io.github.pgs.Call;
import io.github.pgs.CallResult;
import io.github.pgs.CastResult;
import io.github.pgs.From;
import io.github.pgs.GenServer;
import io.github.pgs.Init;
import io.github.pgs.ServerRef;
import io.github.pgs.StopReason;
import io.github.pgs.TypeName;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static io.github.pgs.Results.noreply;
import static io.github.pgs.Results.reply;
import static io.github.pgs.Results.stop;

/** A counter behaviour with a message for every runtime path the tests exercise. */
@TypeName("counter")
public final class Counter implements GenServer<String, Counter.State> {

    public record State(String name, long count, List<ServerRef> friends) {
        State withCount(long c) {
            return new State(name, c, friends);
        }
    }

    public record Get() implements Call<Long> {}
    public record Inc() implements Call<Long> {}
    public record IncNoPersist() implements Call<Long> {}
    public record IncThenContinue() implements Call<Long> {}
    public record Boom() implements Call<Long> {}
    public record StopWith(StopReason reason) implements Call<String> {}
    public record Hang(CountDownLatch release) implements Call<Long> {}
    public record Grow(int bytes) implements Call<Long> {}
    public record AddFriend(ServerRef friend) implements Call<Integer> {}
    public record AskFriends() implements Call<Long> {}
    public record CallSelf(ServerRef self) implements Call<Long> {}
    /** Persists a state that makes every later message crash: a bad state that crash-loops. */
    public record Poison() implements Call<Long> {}

    static final long POISONED = -666;
    public record Cast() {}
    /** Sets a volatile timer that sends "tick" (worth 100) to handleInfo. */
    public record StartTimer(java.time.Duration delay, boolean periodic, boolean keepsAlive) {}
    public record CancelTimer() {}
    /** Sets a timer and cancels it at once: only the server's own handler may do that. */
    public record TouchContext() {}
    public record WhoAmI() implements Call<ServerRef> {}
    /** Answers with a String through a hand-built (untyped) result: the escape hatch. */
    public record WrongReply() implements Call<Long> {}
    /** Answers with a String through the caller's {@code From}, made raw by an unchecked cast. */
    public record WrongDeferredReply() implements Call<Long> {}
    /** Replies whether the caller's {@code From} can be typed by another request than its own. */
    public record TypedByOther() implements Call<Boolean> {}

    /** Per activation, like any field of a behaviour. */
    private io.github.pgs.TimerRef timer;
    public record CastBoom() {}

    /** Init calls per server name, to prove {@code init} runs once. */
    public static final ConcurrentHashMap<String, AtomicInteger> INITS = new ConcurrentHashMap<>();
    /** Handlers running right now per server name, to prove one message at a time. */
    public static final ConcurrentHashMap<String, AtomicInteger> RUNNING = new ConcurrentHashMap<>();
    /** Set when two handlers of one server ever overlapped. */
    public static volatile boolean overlapSeen;
    /** Terminate calls, as "name:reason". */
    public static final List<String> TERMINATED = java.util.Collections.synchronizedList(new ArrayList<>());

    @Override
    public Init<State> init(String name) {
        INITS.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
        if (name.startsWith("refuse")) {
            return Init.stop(StopReason.error("refused " + name));
        }
        if (name.startsWith("ignore")) {
            return Init.ignore();
        }
        if (name.startsWith("initboom")) {
            throw new IllegalStateException("init exploded");
        }
        return Init.ok(new State(name, 0, List.of()));
    }

    @Override
    public CallResult<State> handleCall(Call<?> request, From<?> from, State s) {
        AtomicInteger running = RUNNING.computeIfAbsent(s.name(), k -> new AtomicInteger());
        if (running.incrementAndGet() > 1) {
            overlapSeen = true;
        }
        try {
            if (s.count() == POISONED) {
                throw new IllegalStateException("bad state in " + s.name());
            }
            return switch (request) {
                case Poison p -> reply(p, POISONED, s.withCount(POISONED));
                case Get g -> reply(g, s.count(), s);
                case Inc i -> reply(i, s.count() + 1, s.withCount(s.count() + 1));
                case IncNoPersist i -> reply(i, s.count() + 1, s.withCount(s.count() + 1)).noPersist();
                case IncThenContinue i -> reply(i, s.count() + 1, s.withCount(s.count() + 1)).thenContinue("again");
                case Boom b -> throw new IllegalStateException("boom in " + s.name());
                case StopWith st -> stop(st.reason(), st, "bye", s);
                case Hang h -> {
                    await(h.release());
                    yield reply(h, s.count(), s);
                }
                case Grow g -> reply(g, s.count(), new State("x".repeat(g.bytes()), s.count(), s.friends()));
                case AddFriend f -> {
                    List<ServerRef> fs = new ArrayList<>(s.friends());
                    fs.add(f.friend());
                    yield reply(f, fs.size(), new State(s.name(), s.count(), List.copyOf(fs)));
                }
                case AskFriends a -> {
                    long sum = 0;
                    for (ServerRef f : s.friends()) {
                        sum += f.call(new Get());
                    }
                    yield reply(a, sum, s);
                }
                case CallSelf c -> reply(c, c.self().call(new Get()), s);
                case WhoAmI w -> reply(w, io.github.pgs.ServerContext.current().self(), s);
                case WrongReply w -> new io.github.pgs.Reply<>("not a number", s.withCount(s.count() + 1), true, null);
                case WrongDeferredReply w -> {
                    @SuppressWarnings("unchecked") From<Object> raw = (From<Object>) from;
                    raw.reply("not a number");
                    yield noreply(s);
                }
                case TypedByOther t -> {
                    try {
                        from.typed(new Get());
                        yield reply(t, true, s);
                    } catch (IllegalArgumentException e) {
                        yield reply(t, false, s);
                    }
                }
                default -> throw new IllegalArgumentException("unknown call " + request);
            };
        } finally {
            running.decrementAndGet();
        }
    }

    @Override
    public CastResult<State> handleCast(Object message, State s) {
        return switch (message) {
            case Cast c -> noreply(s.withCount(s.count() + 1));
            case CastBoom b -> throw new IllegalStateException("cast boom");
            case StartTimer t -> {
                io.github.pgs.ServerContext ctx = io.github.pgs.ServerContext.current();
                timer = t.periodic() ? ctx.sendInterval("tick", t.delay(), t.keepsAlive())
                        : ctx.sendAfter("tick", t.delay(), t.keepsAlive());
                yield noreply(s);
            }
            case TouchContext t -> {
                io.github.pgs.ServerContext.current().sendAfter("never", java.time.Duration.ofDays(1)).cancel();
                yield noreply(s);
            }
            case CancelTimer c -> {
                timer.cancel();
                yield noreply(s);
            }
            default -> throw new IllegalArgumentException("unknown cast " + message);
        };
    }

    @Override
    public CastResult<State> handleInfo(Object message, State s) {
        return noreply(s.withCount(s.count() + 100));
    }

    @Override
    public CastResult<State> handleContinue(Object message, State s) {
        return noreply(s.withCount(s.count() + 10));
    }

    @Override
    public void terminate(StopReason reason, State s) {
        TERMINATED.add(s.name() + ":" + reason);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static void reset() {
        INITS.clear();
        RUNNING.clear();
        overlapSeen = false;
        TERMINATED.clear();
    }
}

package io.github.pgs.it;

import io.github.pgs.Call;
import io.github.pgs.CallResult;
import io.github.pgs.CastResult;
import io.github.pgs.From;
import io.github.pgs.GenServer;
import io.github.pgs.Init;
import io.github.pgs.ServerId;
import io.github.pgs.StopReason;
import io.github.pgs.TypeName;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static io.github.pgs.Results.noreply;
import static io.github.pgs.Results.reply;
import static io.github.pgs.Results.stop;

/**
 * The integration tests' behaviour: a counter that records, per server, how often {@code init} ran, which
 * request ids it handled (to prove each call is handled exactly once), and whether two of its handlers ever ran
 * at the same time (to prove one activation at a time).
 */
@TypeName("tally")
public final class Tally implements GenServer<String, Tally.State> {

    public record State(long count, String padding) {
        public State {
            padding = padding == null ? "" : padding;
        }
    }

    /** Adds one and replies the new count; {@code request} identifies the call (0: not tracked). */
    public record Inc(long request) implements Call<Long> {
        public Inc() {
            this(0);
        }
    }

    public record Get() implements Call<Long> {
    }

    /** Blocks in the handler until {@code release} opens, then adds one. */
    public record Hold(CountDownLatch entered, CountDownLatch release) implements Call<Long> {
    }

    /** Replaces the padding with {@code bytes} characters and replies the count. */
    public record Pad(int bytes) implements Call<Long> {
    }

    /** A cast carrying {@code data}; adds one. */
    public record Blob(byte[] data) {
    }

    /** Adds one without persisting. */
    public record IncNoPersist() implements Call<Long> {
    }

    /** Stops the server from the handler. */
    public record Quit(boolean normal) implements Call<String> {
    }

    /** {@code init} runs per key (tests use keys no other test uses). */
    public static final ConcurrentHashMap<String, AtomicInteger> INITS = new ConcurrentHashMap<>();
    /** Handlers running now, per server. */
    public static final ConcurrentHashMap<ServerId, AtomicInteger> RUNNING = new ConcurrentHashMap<>();
    /** Request ids of tracked {@link Inc}s handled, and those handled more than once. */
    public static final Set<Long> HANDLED = ConcurrentHashMap.newKeySet();
    public static final Set<Long> HANDLED_TWICE = ConcurrentHashMap.newKeySet();
    /** The first overlap of two handlers of one server, or {@code null}. */
    public static volatile String overlap;

    public static void reset() {
        INITS.clear();
        RUNNING.clear();
        HANDLED.clear();
        HANDLED_TWICE.clear();
        overlap = null;
    }

    public static int inits(String key) {
        AtomicInteger n = INITS.get(key);
        return n == null ? 0 : n.get();
    }

    @Override
    public Init<State> init(String key) {
        INITS.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        return Init.ok(new State(0, ""));
    }

    @Override
    public CallResult<State> handleCall(Call<?> request, From<?> from, State s) {
        ServerId id = from.server();
        if (RUNNING.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet() > 1 && overlap == null) {
            overlap = "two handlers of " + id + " overlapped";
        }
        try {
            return switch (request) {
                case Inc i -> {
                    if (i.request() != 0 && !HANDLED.add(i.request())) {
                        HANDLED_TWICE.add(i.request());
                    }
                    yield reply(i, s.count() + 1, new State(s.count() + 1, s.padding()));
                }
                case Get g -> reply(g, s.count(), s);
                case IncNoPersist i -> reply(i, s.count() + 1, new State(s.count() + 1, s.padding())).noPersist();
                case Hold h -> {
                    h.entered().countDown();
                    await(h.release());
                    yield reply(h, s.count() + 1, new State(s.count() + 1, s.padding()));
                }
                case Pad p -> reply(p, s.count(), new State(s.count(), "p".repeat(p.bytes())));
                case Quit q -> stop(q.normal() ? StopReason.NORMAL : StopReason.error("quit"), q, "bye", s);
                default -> throw new IllegalArgumentException("unknown call " + request);
            };
        } finally {
            RUNNING.get(id).decrementAndGet();
        }
    }

    @Override
    public CastResult<State> handleCast(Object message, State s) {
        if (message instanceof Blob) {
            return noreply(new State(s.count() + 1, s.padding()));
        }
        throw new IllegalArgumentException("unknown cast " + message);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package io.github.pgs.testkit.model;

import io.github.pgs.Call;
import io.github.pgs.CallResult;
import io.github.pgs.CastResult;
import io.github.pgs.From;
import io.github.pgs.GenServer;
import io.github.pgs.Init;
import io.github.pgs.ServerContext;
import io.github.pgs.ServerId;
import io.github.pgs.StateMapping;
import io.github.pgs.StopReason;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static io.github.pgs.Results.noreply;
import static io.github.pgs.Results.reply;
import static io.github.pgs.Results.stop;

/**
 * The behaviour {@link RuntimeModel} drives: a counter with one message for each runtime path the model covers
 * (persisting and non-persisting changes, casts, info, deferred replies, crashes by exception and by
 * {@link Error}, stops from a handler). Its live state holds the deferred callers' {@link From}s; the
 * {@link #MAPPING state mapping} persists only the count.
 *
 * <p>Each instance reports to a {@link Probe} shared by every activation of one trial, which records whether two
 * handlers of one server ever ran at the same time.
 */
public final class ModelCounter implements GenServer<String, ModelCounter.Live> {

    /** The persisted form. */
    public record Saved(long count) {
    }

    /** The live state: the count and the callers waiting for a deferred reply (never persisted). */
    public record Live(long count, List<From<Long>> waiting) {
        public Live {
            waiting = List.copyOf(waiting);
        }
    }

    /** Persists the count only. */
    public static final StateMapping<Live, Saved> MAPPING = StateMapping.of(Saved.class,
            live -> new Saved(live.count()), saved -> new Live(saved.count(), List.of()));

    /** Replies the count. */
    public record Get() implements Call<Long> {
    }

    /** Adds {@code by} and replies the new count. */
    public record Inc(int by) implements Call<Long> {
    }

    /** Adds one without persisting ({@code noPersist}) and replies the new count. */
    public record IncNoPersist() implements Call<Long> {
    }

    /** Replies later: the caller waits until a {@link Release}. */
    public record Defer() implements Call<Long> {
    }

    /** Adds one, answers every waiting {@link Defer} caller with the new count, replies how many it answered. */
    public record Release() implements Call<Integer> {
    }

    /** Throws: an {@link IllegalStateException}, or a {@link ModelError} when {@code error}. */
    public record Crash(boolean error) implements Call<Long> {
    }

    /** Stops the server from the handler (normally or with an error), replying {@code "bye"}. */
    public record StopWith(boolean normal) implements Call<String> {
    }

    /** A cast that adds {@code by}. */
    public record Add(int by) {
    }

    /** A cast that throws. */
    public record CrashCast() {
    }

    /** An info message that adds {@code by}. */
    public record Bump(int by) {
    }

    /** What a {@link Crash} with {@code error = true} throws: an {@link Error}, not an exception. */
    public static final class ModelError extends Error {
        private static final long serialVersionUID = 1L;

        public ModelError(String message) {
            super(message);
        }
    }

    /** Watches the handlers of one trial's servers. Thread-safe. */
    public static final class Probe {
        private final ConcurrentHashMap<ServerId, AtomicInteger> running = new ConcurrentHashMap<>();
        private volatile String overlap;

        /** A description of the first time two handlers of one server overlapped, or {@code null}. */
        public String overlap() {
            return overlap;
        }

        void enter(ServerId id) {
            if (running.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet() > 1 && overlap == null) {
                overlap = "two handlers of " + id + " ran at the same time";
            }
        }

        void exit(ServerId id) {
            running.get(id).decrementAndGet();
        }
    }

    private final Probe probe;

    /** A counter reporting to {@code probe}. */
    public ModelCounter(Probe probe) {
        this.probe = Objects.requireNonNull(probe, "probe");
    }

    @Override
    public Init<Live> init(String key) {
        return Init.ok(new Live(0, List.of()));
    }

    @Override
    public CallResult<Live> handleCall(Call<?> request, From<?> from, Live s) {
        ServerId id = from.server();
        probe.enter(id);
        try {
            return switch (request) {
                case Get g -> reply(g, s.count(), s);
                case Inc i -> reply(i, s.count() + i.by(), new Live(s.count() + i.by(), s.waiting()));
                case IncNoPersist i -> reply(i, s.count() + 1, new Live(s.count() + 1, s.waiting())).noPersist();
                case Defer d -> {
                    List<From<Long>> waiting = new ArrayList<>(s.waiting());
                    waiting.add(from.typed(d));
                    yield noreply(new Live(s.count(), waiting));
                }
                case Release r -> {
                    long next = s.count() + 1;
                    int answered = 0;
                    for (From<Long> f : s.waiting()) {
                        if (f.reply(next)) {
                            answered++;
                        }
                    }
                    yield reply(r, answered, new Live(next, List.of()));
                }
                case Crash c -> {
                    if (c.error()) {
                        throw new ModelError("crash requested in " + id);
                    }
                    throw new IllegalStateException("crash requested in " + id);
                }
                case StopWith st -> stop(st.normal() ? StopReason.NORMAL : StopReason.error("stop requested"), st, "bye", s);
                default -> throw new IllegalArgumentException("unknown call " + request);
            };
        } finally {
            probe.exit(id);
        }
    }

    @Override
    public CastResult<Live> handleCast(Object message, Live s) {
        ServerId id = ServerContext.current().id();
        probe.enter(id);
        try {
            return switch (message) {
                case Add a -> noreply(new Live(s.count() + a.by(), s.waiting()));
                case CrashCast c -> throw new IllegalStateException("cast crash requested in " + id);
                default -> throw new IllegalArgumentException("unknown cast " + message);
            };
        } finally {
            probe.exit(id);
        }
    }

    @Override
    public CastResult<Live> handleInfo(Object message, Live s) {
        ServerId id = ServerContext.current().id();
        probe.enter(id);
        try {
            if (message instanceof Bump b) {
                return noreply(new Live(s.count() + b.by(), s.waiting()));
            }
            return noreply(s);
        } finally {
            probe.exit(id);
        }
    }
}

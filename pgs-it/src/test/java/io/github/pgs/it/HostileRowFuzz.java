package io.github.pgs.it;

import io.github.pgs.Call;
import io.github.pgs.CallResult;
import io.github.pgs.From;
import io.github.pgs.GenServer;
import io.github.pgs.GenServerException;
import io.github.pgs.Init;
import io.github.pgs.ServerContext;
import io.github.pgs.ServerId;
import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.TypeOptions;
import io.github.pgs.admin.Admin;
import io.github.pgs.admin.ServerInfo;
import io.github.pgs.admin.StateText;
import io.github.pgs.it.canary.CanaryTrap;
import io.github.pgs.spi.DueCursor;
import io.github.pgs.spi.DuePage;
import io.github.pgs.spi.KeyCursor;
import io.github.pgs.spi.KeyPage;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.spi.StoredState;
import io.github.pgs.sqlite.SqliteOptions;
import io.github.pgs.sqlite.SqliteRawRows;
import io.github.pgs.sqlite.SqliteStorage;
import io.github.pgs.testkit.ManualTime;
import io.github.pgs.testkit.ServerTestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static io.github.pgs.Results.reply;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bounded, seeded fuzz run of the hostile-row work (a separate command, not part of the default build):
 * valid stored rows (states with nested records, lists, maps, big numbers, refs, and reminder sets) are mutated at
 * random (bytes flipped, inserted, deleted, repeated, truncated, and hostile fragments spliced in: deep nesting,
 * huge exponents and digit runs, NUL and control characters, polymorphic type ids naming a gadget class) and written
 * back, as states, reminder sets and keys, into an SQLite store. Each mutated row is loaded through the runtime,
 * decoded, inspected, and the scans (list, count, expiry, due) run over them. Every operation has a deadline.
 *
 * <pre>{@code
 * mvn -pl pgs-it verify -Dtest=HostileRowFuzz -Dpgs.fuzz.iterations=20000 -Dpgs.fuzz.seed=1 -Dpgs.it.jvmArgs=-Xmx256m
 * }</pre>
 * It fails on any hang (an operation past {@value #DEADLINE_SECONDS} s), any {@link OutOfMemoryError}, any failure
 * that is not a typed {@link GenServerException}, and any instantiation of the canary class that payloads name
 * (the stand-in for a deserialization gadget); it prints the figures.
 */
class HostileRowFuzz {

    static final int DEADLINE_SECONDS = 30;

    private static final List<String> SPLICES = List.of(
            "[".repeat(5_000), "{\"a\":".repeat(5_000), "1e99999", "-1E-99999", "9".repeat(100_000), "\u0000",
            "\u001b[2J", "\"\\u0000\"", "\"\\ud800\"", "\"@class\":\"" + CanaryTrap.CANARY + "\",",
            "[\"" + CanaryTrap.CANARY + "\",{\"note\":\"x\"}]", "{\"@type\":\"" + CanaryTrap.CANARY + "\"}",
            "{\"@c\":\"" + CanaryTrap.CANARY + "\"}", "\"" + "x".repeat(200_000) + "\"", "NaN", "-0", "}}}]]]",
            "\"friend\":\"" + "nope:".repeat(50) + "\",", "\u00ff\u00fe");

    @TempDir
    Path dir;

    /** The behaviour whose stored rows are mutated. */
    public static final class Rich implements GenServer<String, Rich.State> {

        public record Item(String name, BigDecimal price, List<Integer> tags) {
        }

        public record State(long count, String name, List<Item> items, Map<String, Item> byName, BigInteger big,
                            double ratio, ServerRef friend) {
        }

        public record Fill(int items, ServerRef friend, long remindAt) implements Call<Long> {
        }

        public record Get() implements Call<State> {
        }

        @Override
        public Init<State> init(String key) {
            return Init.ok(new State(0, key, List.of(), Map.of(), BigInteger.ZERO, 0, null));
        }

        @Override
        public CallResult<State> handleCall(Call<?> request, From<?> from, State s) {
            if (request instanceof Fill f) {
                List<Item> items = new ArrayList<>();
                Map<String, Item> byName = new TreeMap<>();
                for (int i = 0; i < f.items(); i++) {
                    Item it = new Item("item-" + i + "-\u00e9\u4e2d", new BigDecimal(i + ".25"), List.of(i, -i, 7));
                    items.add(it);
                    byName.put(it.name(), it);
                }
                ServerContext.current().remindAt("tick", Instant.ofEpochMilli(f.remindAt()));
                ServerContext.current().remindAt("tock", Instant.ofEpochMilli(f.remindAt() + 1_000));
                return reply(f, s.count() + 1, new State(s.count() + 1, s.name(), items, byName,
                        BigInteger.TWO.pow(70 + f.items()), 0.5 * f.items(), f.friend()));
            }
            if (request instanceof Get g) {
                return reply(g, s, s);
            }
            throw new IllegalArgumentException("unknown call");
        }
    }

    @Test
    void mutatedRows_neverHang_neverExhaustMemory_neverInstantiateUndeclaredClasses() throws Exception {
        int iterations = Integer.getInteger("pgs.fuzz.iterations", 2_000);
        long seed = Long.getLong("pgs.fuzz.seed", System.nanoTime());
        System.out.println("HostileRowFuzz: seed " + seed + ", " + iterations + " iterations");
        Random random = new Random(seed);
        ManualTime time = new ManualTime();
        String type = "fuzz";
        ServerType<String, Rich.State> rich = ServerType.builder(Rich.class).name(type)
                .options(TypeOptions.builder().idleTimeout(Duration.ofMinutes(10)).build()).build();
        Figures figures = new Figures();
        ExecutorService ops = Executors.newVirtualThreadPerTaskExecutor();
        try (SqliteStorage store = SqliteOptions.builder(dir.resolve("fuzz.db"))
                .synchronous(SqliteOptions.Synchronous.NORMAL).open();
             SqliteRawRows raw = new SqliteRawRows(store.file(), SqliteOptions.DEFAULT_TABLE_NAME);
             ServerRuntime runtime = ServerRuntime.builder().storage(store).timeSource(time).scheduler(time)
                     .shutdownTimeout(Duration.ofSeconds(30)).register(rich).build()) {
            List<StoredState> seeds = seedRows(runtime, store, type, time);
            Admin admin = Admin.of(runtime);
            for (int i = 0; i < iterations; i++) {
                StoredState base = seeds.get(random.nextInt(seeds.size()));
                ServerId id = new ServerId(type, "m" + i);
                int target = random.nextInt(10);
                byte[] payload = target < 7 ? mutate(base.payload(), random) : base.payload();
                byte[] reminders = target >= 7 && target < 9 ? mutate(base.reminders(), random) : base.reminders();
                if (target == 9) {
                    byte[] key = mutate(("m" + i).getBytes(StandardCharsets.UTF_8), random);
                    try {
                        raw.write(type.getBytes(StandardCharsets.UTF_8), key, payload, reminders,
                                reminders == null ? 0 : base.remindAtMillis());
                    } catch (SQLException sameKeyAgain) {
                        // the planting, not the library: a mutation can repeat a key
                    }
                } else {
                    figures.run(ops, () -> store.save(new StateWrite(id, 0, payload, base.schemaVersion(), 0,
                            reminders, base.remindAtMillis())));
                    figures.run(ops, () -> runtime.ref(id).call(new Rich.Get()));
                    figures.run(ops, () -> {
                        ServerInfo info = admin.inspect(id);
                        assertThat(info.state().length()).isLessThanOrEqualTo(StateText.DEFAULTS.maxChars() + 200);
                        return info;
                    });
                    figures.run(ops, () -> store.loadAll(List.of(id, new ServerId(type, "seed0"))));
                }
                if (i % 1_000 == 999) {
                    scans(figures, ops, runtime, store, admin, type, time);
                }
            }
            scans(figures, ops, runtime, store, admin, type, time);
        } finally {
            ops.shutdownNow();
        }
        figures.canary = CanaryTrap.TRIGGERED.get();
        System.out.println("HostileRowFuzz: " + figures);
        assertThat(figures.hangs).as("operations past their deadline").isZero();
        assertThat(figures.outOfMemory).as("OutOfMemoryError").isZero();
        assertThat(figures.untyped).as("failures that are not GenServerException: " + figures.firstUntyped).isZero();
        assertThat(figures.canary).as("the canary class was instantiated").isFalse();
    }

    /** Valid rows to mutate: states of several sizes, each with a reminder set and a ref. */
    private static List<StoredState> seedRows(ServerRuntime runtime, SqliteStorage store, String type,
                                              ManualTime time) {
        List<StoredState> seeds = new ArrayList<>();
        for (int s = 0; s < 8; s++) {
            ServerId id = new ServerId(type, "seed" + s);
            runtime.ref(id).call(new Rich.Fill(s * 3, runtime.ref(new ServerId(type, "friend" + s)),
                    time.currentTimeMillis() + 60_000L * (s + 1)));
            seeds.add(store.load(id));
        }
        return seeds;
    }

    /** list (pages of 50), count, expiry (dry run), due pages and a minute of reminder passes, each under a deadline. */
    private static void scans(Figures figures, ExecutorService ops, ServerRuntime runtime, SqliteStorage store,
                              Admin admin, String type, ManualTime time) {
        figures.run(ops, () -> {
            KeyCursor after = null;
            int pages = 0;
            do {
                KeyPage page = store.list(type, after, 50);
                after = page.next();
                assertThat(++pages).isLessThan(1_000_000);
            } while (after != null);
            return pages;
        });
        figures.run(ops, () -> admin.countReport(type));
        figures.run(ops, () -> admin.expire(type, Duration.ofDays(365), true));
        figures.run(ops, () -> {
            DueCursor after = null;
            int pages = 0;
            do {
                DuePage page = store.due(Long.MAX_VALUE, after, 50);
                after = page.next();
                assertThat(++pages).isLessThan(1_000_000);
            } while (after != null);
            return pages;
        });
        for (int pass = 0; pass < 61; pass++) { // one reminder pass a second, each under its own deadline
            long hungBefore = figures.hangs;
            figures.run(ops, () -> {
                ServerTestKit.advanceSettled(time, runtime, Duration.ofSeconds(1),
                        Duration.ofSeconds(DEADLINE_SECONDS));
                return null;
            });
            if (figures.hangs > hungBefore) {
                break; // counted; the next scan tries again, so that one stuck poller cannot stretch the run
            }
        }
    }

    /** One to four random mutations of {@code bytes} (a copy); {@code null} stays {@code null} half the time. */
    private static byte[] mutate(byte[] bytes, Random random) {
        if (bytes == null) {
            return random.nextBoolean() ? null : randomBytes(random, 1 + random.nextInt(64));
        }
        byte[] out = bytes.clone();
        for (int m = 1 + random.nextInt(4); m > 0; m--) {
            int at = out.length == 0 ? 0 : random.nextInt(out.length);
            ByteArrayOutputStream b = new ByteArrayOutputStream(out.length + 16);
            switch (random.nextInt(7)) {
                case 0 -> { // flip bits
                    if (out.length > 0) {
                        out[at] ^= (byte) (1 << random.nextInt(8));
                    }
                    continue;
                }
                case 1 -> { // insert random bytes
                    b.write(out, 0, at);
                    b.writeBytes(randomBytes(random, 1 + random.nextInt(16)));
                    b.write(out, at, out.length - at);
                }
                case 2 -> { // delete a range
                    int len = Math.min(out.length - at, 1 + random.nextInt(32));
                    b.write(out, 0, at);
                    b.write(out, at + len, out.length - at - len);
                }
                case 3 -> { // repeat a range
                    int len = Math.min(out.length - at, 1 + random.nextInt(64));
                    b.write(out, 0, at + len);
                    for (int r = random.nextInt(200); r > 0; r--) {
                        b.write(out, at, len);
                    }
                    b.write(out, at + len, out.length - at - len);
                }
                case 4 -> { // truncate
                    b.write(out, 0, at);
                }
                default -> { // splice a hostile fragment
                    b.write(out, 0, at);
                    b.writeBytes(SPLICES.get(random.nextInt(SPLICES.size())).getBytes(StandardCharsets.UTF_8));
                    b.write(out, at, out.length - at);
                }
            }
            out = b.toByteArray();
        }
        return out;
    }

    private static byte[] randomBytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /** Outcomes of the fuzzed operations. */
    private static final class Figures {
        long operations;
        long ok;
        long typed;
        long untyped;
        long hangs;
        long outOfMemory;
        boolean canary;
        String firstUntyped;
        long slowestNanos;
        final List<String> hung = new ArrayList<>();

        void run(ExecutorService ops, Callable<?> op) {
            operations++;
            java.util.concurrent.atomic.AtomicReference<Thread> runner = new java.util.concurrent.atomic.AtomicReference<>();
            Future<?> f = ops.submit(() -> {
                runner.set(Thread.currentThread());
                return op.call();
            });
            long start = System.nanoTime();
            try {
                f.get(DEADLINE_SECONDS, TimeUnit.SECONDS);
                ok++;
                slowestNanos = Math.max(slowestNanos, System.nanoTime() - start);
            } catch (TimeoutException e) {
                hangs++;
                Thread t = runner.get();
                StringBuilder where = new StringBuilder("hung operation " + operations + ":");
                if (t != null) {
                    for (StackTraceElement el : t.getStackTrace()) {
                        where.append("\n    at ").append(el);
                    }
                }
                hung.add(where.toString());
                System.out.println(where);
                f.cancel(true);
            } catch (ExecutionException e) {
                slowestNanos = Math.max(slowestNanos, System.nanoTime() - start);
                Throwable c = e.getCause();
                if (c instanceof OutOfMemoryError) {
                    outOfMemory++;
                } else if (c instanceof GenServerException) {
                    typed++;
                } else {
                    untyped++;
                    if (firstUntyped == null) {
                        firstUntyped = c.toString();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }

        @Override
        public String toString() {
            return operations + " operations: " + ok + " ok, " + typed + " typed errors, " + untyped
                    + " untyped failures, " + hangs + " hangs, " + outOfMemory + " out of memory, canary "
                    + (canary ? "TRIGGERED" : "never instantiated") + "; slowest operation "
                    + TimeUnit.NANOSECONDS.toMillis(slowestNanos) + " ms";
        }
    }
}

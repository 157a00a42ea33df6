package io.github.pgs.it;

import io.github.pgs.Call;
import io.github.pgs.CallResult;
import io.github.pgs.CastResult;
import io.github.pgs.From;
import io.github.pgs.GenServer;
import io.github.pgs.Init;
import io.github.pgs.MissedTicks;
import io.github.pgs.ReminderFired;
import io.github.pgs.ServerContext;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.spi.Storage;
import io.github.pgs.spi.StoredState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static io.github.pgs.Results.noreply;
import static io.github.pgs.Results.reply;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Durable reminders across a whole restart on the real stores, on the real clock: one runtime schedules them
 * and closes together with its store (every server petrified); a new store instance and a new runtime on the
 * same SQLite file, PostgreSQL table or Redis namespace fire every one of them, found through the store's due
 * index, and none twice.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReminderRestartTest {

    private static final int SERVERS = 200;

    @TempDir
    Path dir;

    /** Counts the reminders delivered to it; {@link Schedule} sets a one-shot and a periodic reminder. */
    public static final class Wakeup implements GenServer<String, Wakeup.State> {

        public record State(int oneShots, int ticks) {
        }

        public record Schedule(Instant at, Duration period) implements Call<Boolean> {
        }

        public record Read() implements Call<State> {
        }

        @Override
        public Init<State> init(String key) {
            return Init.ok(new State(0, 0));
        }

        @Override
        public CallResult<State> handleCall(Call<?> request, From<?> from, State s) {
            return switch (request) {
                case Schedule sc -> {
                    ServerContext ctx = ServerContext.current();
                    ctx.remindAt("once", sc.at(), MissedTicks.FIRE_ONCE);
                    ctx.remindEvery("tick", sc.at(), sc.period(), MissedTicks.SKIP);
                    yield reply(sc, true, s);
                }
                case Read r -> reply(r, s, s);
                default -> throw new IllegalArgumentException("unknown call " + request);
            };
        }

        @Override
        public CastResult<State> handleInfo(Object message, State s) {
            if (message instanceof ReminderFired f) {
                return noreply(f.name().equals("once") ? new State(s.oneShots() + 1, s.ticks())
                        : new State(s.oneShots(), s.ticks() + 1));
            }
            return noreply(s);
        }
    }

    @AfterAll
    static void removeTestRows() {
        Stores.cleanPostgres();
    }

    @Test
    void remindersScheduledBeforeARestart_fireAfterIt_onSqlite() throws Exception {
        Path file = dir.resolve("reminders.db");
        restartFires(() -> Stores.sqliteFast(file), Stores.unique("wakeup"));
    }

    @Test
    void remindersScheduledBeforeARestart_fireAfterIt_onPostgres() throws Exception {
        restartFires(Stores::postgres, Stores.unique("wakeup"));
    }

    @Test
    void remindersScheduledBeforeARestart_fireAfterIt_onRedis() throws Exception {
        String namespace = Stores.unique("it-remind");
        try {
            restartFires(() -> Stores.redis(Stores.redisUri(), namespace, Duration.ofSeconds(5)), "wakeup");
        } finally {
            Stores.purgeRedis(namespace);
        }
    }

    private static ServerRuntime runtime(Storage store, String type) {
        return ServerRuntime.builder().name("reminders").storage(store).codec(Stores.codec())
                .reminderPollInterval(Duration.ofMillis(100))
                .register(ServerType.builder(Wakeup.class).name(type).build()).build();
    }

    private void restartFires(Supplier<Storage> stores, String type) throws Exception {
        Instant due = Instant.now().plusSeconds(4); // scheduling 200 servers takes well under that
        Duration period = Duration.ofHours(1);
        List<String> keys = new ArrayList<>();
        try (Storage first = stores.get(); ServerRuntime before = runtime(first, type)) {
            for (int i = 0; i < SERVERS; i++) {
                String key = "w" + i;
                keys.add(key);
                assertThat(before.ref(Wakeup.class, key).call(new Wakeup.Schedule(due, period))).isTrue();
            }
            assertThat(first.due(Long.MAX_VALUE, null, SERVERS + 1).servers()).as("every server is in the due index")
                    .hasSize(SERVERS);
        }

        try (Storage second = stores.get(); ServerRuntime after = runtime(second, type)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (after.stats().remindersFired() < 2L * SERVERS && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(after.stats().remindersFired()).as("both reminders of every server fired")
                    .isEqualTo(2L * SERVERS);
            for (String key : keys) {
                assertThat(after.ref(Wakeup.class, key).call(new Wakeup.Read()))
                        .as(key).isEqualTo(new Wakeup.State(1, 1));
            }
            // the one-shots are gone; each periodic reminder is due again one period after the first tick
            List<io.github.pgs.spi.DueServer> next = second.due(Long.MAX_VALUE, null, SERVERS + 1).servers();
            assertThat(next).hasSize(SERVERS);
            assertThat(next).allSatisfy(d ->
                    assertThat(d.remindAtMillis()).isEqualTo(due.plus(period).toEpochMilli()));
        }

        try (Storage third = stores.get()) {
            StoredState s = third.load(new io.github.pgs.ServerId(type, "w0"));
            assertThat(new String(s.payload(), StandardCharsets.UTF_8)).contains("\"oneShots\":1");
        }
    }
}

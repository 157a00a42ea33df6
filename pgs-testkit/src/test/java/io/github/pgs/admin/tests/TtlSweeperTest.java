package io.github.pgs.admin.tests;

import io.github.pgs.ServerId;
import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.TypeOptions;
import io.github.pgs.admin.Admin;
import io.github.pgs.admin.ExpireFailedException;
import io.github.pgs.admin.ExpireReport;
import io.github.pgs.admin.TtlSweeper;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.spi.TimeSource;
import io.github.pgs.store.InMemoryStorage;
import io.github.pgs.testkit.ManualTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The TTL sweeper on manual time: sweeps run when the clock passes each interval, on the advancing thread. */
class TtlSweeperTest {

    private static final Duration HOUR = Duration.ofHours(1);
    private static final Duration TTL = Duration.ofHours(24);

    private final ManualTime time = new ManualTime();
    private final ClockedStorage store = new ClockedStorage(time);
    private final List<ExpireReport> reports = new CopyOnWriteArrayList<>();
    private final List<RuntimeException> failures = new CopyOnWriteArrayList<>();
    private ServerRuntime runtime;
    private Admin admin;

    @BeforeEach
    void start() {
        runtime = ServerRuntime.builder()
                .storage(store)
                .timeSource(time)
                .scheduler(time)
                .register(ServerType.builder(Tally.class)
                        .options(TypeOptions.builder().idleTimeout(Duration.ofMinutes(1)).build()).build())
                .build();
        admin = Admin.of(runtime).withClock(time);
    }

    @AfterEach
    void close() {
        runtime.close();
    }

    private TtlSweeper.Builder sweeper() {
        return TtlSweeper.builder(admin, "tally", TTL)
                .interval(HOUR)
                .scheduler(time)
                .executor(Runnable::run)
                .onSweep(reports::add)
                .onFailure(failures::add);
    }

    /** Writes a state and petrifies its server at once (on manual time it would petrify asynchronously). */
    private void write(String key) {
        ServerRef ref = runtime.ref(Tally.class, key);
        ref.call(new Tally.Add(1));
        runtime.petrify(ref.id());
        assertThat(runtime.awaitQuiescence(Duration.ofSeconds(10))).isTrue();
        assertThat(runtime.isActive(ref.id())).isFalse();
    }

    private void advance(Duration d) {
        time.advance(d);
        assertThat(runtime.awaitQuiescence(Duration.ofSeconds(10))).isTrue();
    }

    private static ServerId id(String key) {
        return new ServerId("tally", key);
    }

    @Test
    void sweepsEveryInterval_deletingStateOlderThanTheTtl() {
        write("early");
        advance(Duration.ofHours(10));
        write("later");
        try (TtlSweeper s = sweeper().start()) {
            assertThat(s.interval()).isEqualTo(HOUR);

            advance(Duration.ofHours(13)); // 23 h after "early": 13 sweeps, nothing old enough yet
            assertThat(reports).hasSize(13).allSatisfy(r -> assertThat(r.expired()).isEmpty());

            advance(HOUR); // 24 h after "early"
            assertThat(reports).hasSize(14);
            assertThat(reports.get(13).ids()).containsExactly(id("early"));
            assertThat(store.load(id("early")).isTombstone()).isTrue();

            advance(Duration.ofHours(10)); // 24 h after "later"
            assertThat(reports.get(23).ids()).containsExactly(id("later"));
            assertThat(admin.count("tally")).isZero();
            assertThat(s.sweeps()).isEqualTo(24);
            assertThat(s.lastReport()).contains(reports.get(23));
            assertThat(failures).isEmpty();
        }
    }

    @Test
    void aServerWrittenAgainBeforeItsTtl_survives() {
        write("kept");
        try (TtlSweeper s = sweeper().start()) {
            advance(Duration.ofHours(20));
            write("kept"); // its server petrified long ago: this revives it and writes version 2
            advance(Duration.ofHours(20));

            assertThat(s.sweeps()).isEqualTo(40);
            assertThat(reports).allSatisfy(r -> assertThat(r.expired()).isEmpty());
            assertThat(admin.inspect(id("kept")).version()).isEqualTo(2);
        }
    }

    @Test
    void dryRun_reportsButDeletesNothing() {
        write("old");
        try (TtlSweeper s = sweeper().dryRun(true).start()) {
            advance(Duration.ofHours(25));

            assertThat(s.lastReport()).contains(reports.getLast());
            assertThat(reports.getLast().dryRun()).isTrue();
            assertThat(reports.getLast().ids()).containsExactly(id("old"));
            assertThat(admin.count("tally")).isEqualTo(1);
        }
    }

    @Test
    void close_stopsFurtherSweeps() {
        write("old");
        TtlSweeper s = sweeper().start();
        advance(Duration.ofHours(3));
        s.close();
        advance(Duration.ofDays(3));

        assertThat(reports).hasSize(3);
        assertThat(s.isClosed()).isTrue();
        assertThat(admin.count("tally")).isEqualTo(1);
        assertThat(s.sweepNow().ids()).as("an explicit sweep still works").containsExactly(id("old"));
    }

    @Test
    void aFailedSweep_isReported_andTheNextOneRunsOnSchedule() {
        write("a");
        write("b");
        try (TtlSweeper s = sweeper().start()) {
            store.failDeletesAfter(0);
            advance(Duration.ofHours(24));
            assertThat(failures).hasSize(1);
            assertThat(failures.get(0)).isInstanceOf(ExpireFailedException.class);

            store.failDeletesAfter(-1);
            advance(HOUR);
            assertThat(reports.getLast().ids()).containsExactly(id("a"), id("b"));
            assertThat(s.sweeps()).isEqualTo(25);
        }
    }

    @Test
    void theDefaultInterval_isAnHour_orTheTtlIfShorter() {
        try (TtlSweeper s = TtlSweeper.builder(admin, "tally", Duration.ofMinutes(10)).scheduler(time).start();
             TtlSweeper t = TtlSweeper.builder(admin, "tally", TTL).scheduler(time).start()) {
            assertThat(s.interval()).isEqualTo(Duration.ofMinutes(10));
            assertThat(t.interval()).isEqualTo(TtlSweeper.DEFAULT_INTERVAL);
        }
    }

    @Test
    void badSettings_areRefused() {
        assertThatThrownBy(() -> TtlSweeper.builder(admin, "tally", Duration.ZERO).start())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TtlSweeper.builder(admin, "tally", TTL).interval(Duration.ofSeconds(-1)).start())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TtlSweeper.builder(admin, "not a type", TTL).start())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void onAScheduledExecutorService_sweepsRunOnRealTime() throws InterruptedException {
        InMemoryStorage memory = new InMemoryStorage();
        memory.save(new StateWrite(id("stale"), 0, "{}".getBytes(StandardCharsets.UTF_8), 1));
        // "now" is a day ahead of the store's clock, so the state just written is already a day old
        Admin ahead = Admin.of(memory, runtime.codec()).withClock(new TimeSource() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public long currentTimeMillis() {
                return System.currentTimeMillis() + TTL.toMillis() + 1;
            }
        });
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        CountDownLatch swept = new CountDownLatch(1);
        try (TtlSweeper s = TtlSweeper.builder(ahead, "tally", TTL).interval(Duration.ofMillis(5)).scheduler(timer)
                .onSweep(r -> {
                    if (!r.expired().isEmpty()) {
                        swept.countDown();
                    }
                }).start()) {
            assertThat(swept.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(s.sweeps()).isPositive();
            assertThat(memory.load(id("stale")).isTombstone()).isTrue();
        } finally {
            timer.shutdownNow();
        }
        assertThat(timer.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aServerActiveAtSweepTime_isLeftAlone() {
        ServerRef busy = runtime.ref(Tally.class, "busy");
        busy.call(new Tally.Add(1));
        try (TtlSweeper s = sweeper().start()) {
            advance(Duration.ofHours(23));
            time.advance(Duration.ofMinutes(59).plusSeconds(30));
            busy.call(new Tally.Get()); // revived, read only: active when the next sweep runs
            advance(Duration.ofSeconds(30));

            assertThat(s.sweeps()).isEqualTo(24);
            assertThat(reports.getLast().skippedActive()).isEqualTo(1);
            assertThat(reports.getLast().expired()).isEmpty();
            assertThat(busy.call(new Tally.Get())).isEqualTo(1);
        }
    }
}

package io.github.pgs.micrometer;

import io.github.pgs.spi.RuntimeObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static io.github.pgs.micrometer.PgsInstruments.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/** Every instrument moves as docs/OBSERVABILITY.md says, in the metrics-only mode. */
class MetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private SyntheticRuntime rt;

    @BeforeEach
    void run() {
        rt = new SyntheticRuntime(MicrometerObserver.of(registry));
        Workload.run(rt);
    }

    @AfterEach
    void close() {
        rt.close();
    }

    private double gauge(String name, String... tags) {
        return registry.get(name).tags(tags).gauge().value();
    }

    private double count(String name, String... tags) {
        return registry.get(name).tags(tags).counter().count();
    }

    private Timer timer(String name, String... tags) {
        return registry.get(name).tags(tags).timer();
    }

    private DistributionSummary summary(String name, String... tags) {
        return registry.get(name).tags(tags).summary();
    }

    @Test
    void servers_gaugesFollowActivationsAndQuarantines() {
        assertThat(gauge(SERVERS_ACTIVE, TYPE, "player")).isZero();
        assertThat(gauge(SERVERS_ACTIVE, TYPE, "room")).isEqualTo(1);
        assertThat(gauge(SERVERS_QUARANTINED, TYPE, "player")).isZero();
        assertThat(count(ACTIVATIONS, TYPE, "player", KIND, "init")).isEqualTo(1);
        assertThat(count(ACTIVATIONS, TYPE, "player", KIND, "revival")).isEqualTo(1);
        assertThat(count(ACTIVATIONS, TYPE, "room", KIND, "revival")).isEqualTo(2);
        assertThat(count(PETRIFICATIONS, TYPE, "player", CAUSE, "idle")).isEqualTo(1);
        assertThat(count(PETRIFICATIONS, TYPE, "player", CAUSE, "evicted")).isZero();
        assertThat(count(STOPS, TYPE, "room", REASON, "normal")).isEqualTo(1);
        assertThat(count(CRASHES, TYPE, "player", EXCEPTION, "IllegalStateException")).isEqualTo(1);
        assertThat(count(QUARANTINES, TYPE, "player")).isEqualTo(1);
        assertThat(count(RELEASES, TYPE, "player")).isEqualTo(1);
        assertThat(count(RECOVERED, TYPE, "room")).isEqualTo(1);
    }

    @Test
    void quarantinedGauge_countsUntilReleased() {
        RuntimeObserver o = rt.observer();
        o.quarantined(Workload.ROOM, "bad state");
        assertThat(gauge(SERVERS_QUARANTINED, TYPE, "room")).isEqualTo(1);
        o.released(Workload.ROOM);
        assertThat(gauge(SERVERS_QUARANTINED, TYPE, "room")).isZero();
    }

    @Test
    void calls_byOutcomeAndError_withTheRuntimesDurations() {
        Timer ok = timer(CALL, TYPE, "player", MESSAGE, "ReadScore", OUTCOME, "ok", ERROR, "none");
        assertThat(ok.count()).isEqualTo(1);
        assertThat(ok.totalTime(TimeUnit.NANOSECONDS)).isEqualTo(3_000_000);
        assertThat(timer(CALL, TYPE, "room", MESSAGE, "ReadScore", OUTCOME, "ok").count()).isEqualTo(1);
        Timer timeout = timer(CALL, TYPE, "player", OUTCOME, "timeout", ERROR, "CallTimeoutException");
        assertThat(timeout.count()).isEqualTo(1);
        assertThat(timeout.totalTime(TimeUnit.SECONDS)).isEqualTo(5);
        assertThat(timer(CALL, TYPE, "player", MESSAGE, "Move", OUTCOME, "error", ERROR, "MailboxFullException")
                .count()).isEqualTo(1);
        assertThat(timer(CALL, TYPE, "player", MESSAGE, "Move", OUTCOME, "error", ERROR, "IllegalStateException")
                .count()).isEqualTo(1);
    }

    @Test
    void castsAndInfos_areCountedWithTheirKind() {
        assertThat(timer(CAST, TYPE, "player", MESSAGE, "Move", KIND, "cast", OUTCOME, "ok").count()).isEqualTo(1);
        assertThat(timer(CAST, TYPE, "player", MESSAGE, "Tick", KIND, "info", OUTCOME, "ok").count()).isEqualTo(1);
    }

    @Test
    void turns_byKindAndOutcome() {
        Timer read = timer(HANDLE, TYPE, "player", MESSAGE, "ReadScore", KIND, "call", OUTCOME, "ok", ERROR, "none");
        assertThat(read.count()).isEqualTo(1);
        assertThat(read.totalTime(TimeUnit.NANOSECONDS)).isEqualTo(1_000_000);
        assertThat(timer(HANDLE, TYPE, "player", MESSAGE, "Move", KIND, "call", OUTCOME, "crashed",
                ERROR, "IllegalStateException").count()).isEqualTo(1);
        assertThat(timer(HANDLE, TYPE, "player", MESSAGE, "Move", KIND, "cast", OUTCOME, "ok").count()).isEqualTo(1);
        assertThat(timer(HANDLE, TYPE, "player", MESSAGE, "Tick", KIND, "info").count()).isEqualTo(1);
        assertThat(timer(HANDLE, TYPE, "room", MESSAGE, "Tick", KIND, "timer").count()).isEqualTo(1);
        assertThat(timer(HANDLE, TYPE, "room", MESSAGE, "ReminderFired", KIND, "reminder").count()).isEqualTo(1);
    }

    @Test
    void mailboxDepth_isSampledAtEachTurn() {
        DistributionSummary player = summary(MAILBOX_DEPTH, TYPE, "player");
        assertThat(player.count()).isEqualTo(4);
        assertThat(player.max()).isEqualTo(3);
        assertThat(player.totalAmount()).isEqualTo(3);
        assertThat(summary(MAILBOX_DEPTH, TYPE, "room").count()).isEqualTo(4);
    }

    @Test
    void storeOperations_byOperationAndOutcome_withSizes() {
        Timer read = timer(STORE, TYPE, "player", STORE_TAG, "sqlite", OPERATION, "read", OUTCOME, "ok");
        assertThat(read.count()).isEqualTo(1);
        assertThat(read.totalTime(TimeUnit.NANOSECONDS)).isEqualTo(400_000);
        assertThat(timer(STORE, TYPE, "player", OPERATION, "write", OUTCOME, "ok", ERROR, "none").count())
                .isEqualTo(1);
        assertThat(timer(STORE, TYPE, "player", OPERATION, "write", OUTCOME, "conflict",
                ERROR, "VersionConflictException").count()).isEqualTo(1);
        assertThat(timer(STORE, TYPE, "player", OPERATION, "delete", OUTCOME, "error", ERROR, "StorageException")
                .count()).isEqualTo(1);
        assertThat(timer(STORE, TYPE, "room", OPERATION, "read", OUTCOME, "absent").count()).isEqualTo(1);
        assertThat(summary(STORE_BYTES, TYPE, "player", OPERATION, "read").totalAmount()).isEqualTo(120);
        assertThat(summary(STORE_BYTES, TYPE, "player", OPERATION, "write").totalAmount()).isEqualTo(130);
        assertThat(registry.find(STORE_BYTES).tags(OPERATION, "delete").summary())
                .as("no size is recorded for operations without state").isNull();
    }

    @Test
    void groupCommitBatches_sizeAndDuration() {
        DistributionSummary size = summary(STORE_BATCH_SIZE, STORE_TAG, "sqlite");
        assertThat(size.count()).isEqualTo(3);
        assertThat(size.totalAmount()).isEqualTo(17);
        assertThat(size.max()).isEqualTo(12);
        Timer ok = timer(STORE_BATCH, STORE_TAG, "sqlite", OUTCOME, "ok");
        assertThat(ok.count()).isEqualTo(2);
        assertThat(ok.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(3);
        assertThat(timer(STORE_BATCH, STORE_TAG, "sqlite", OUTCOME, "error", ERROR, "StorageException").count())
                .isEqualTo(1);
    }

    @Test
    void reminders_firedAndLateness() {
        assertThat(count(REMINDERS_FIRED, TYPE, "room", OUTCOME, "delivered")).isEqualTo(1);
        assertThat(count(REMINDERS_FIRED, TYPE, "room", OUTCOME, "skipped")).isEqualTo(1);
        Timer lateness = timer(REMINDER_LATENESS, TYPE, "room");
        assertThat(lateness.count()).isEqualTo(2);
        assertThat(lateness.max(TimeUnit.MILLISECONDS)).isEqualTo(90_000);
        assertThat(lateness.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(91_500);
    }

    @Test
    void noTagEverCarriesAKey() {
        assertThat(registry.getMeters()).isNotEmpty();
        for (Meter m : registry.getMeters()) {
            for (Tag t : m.getId().getTags()) {
                assertThat(t.getValue()).as(m.getId().toString()).doesNotContain(Workload.SECRET);
            }
        }
    }

    @Test
    void everyInstrumentOfTheReferenceExists() {
        for (String name : new String[] {SERVERS_ACTIVE, SERVERS_QUARANTINED, ACTIVATIONS, PETRIFICATIONS, STOPS,
                CRASHES, QUARANTINES, RELEASES, RECOVERED, CALL, CAST, HANDLE, MAILBOX_DEPTH, STORE, STORE_BYTES,
                STORE_BATCH, STORE_BATCH_SIZE, REMINDERS_FIRED, REMINDER_LATENESS}) {
            assertThat(registry.find(name).meters()).as(name).isNotEmpty();
        }
    }

    @Test
    void aThrowingRegistry_neverReachesTheCaller() {
        MeterRegistry broken = new SimpleMeterRegistry();
        broken.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                throw new IllegalStateException("registry down");
            }
        });
        try (SyntheticRuntime guarded = new SyntheticRuntime(MicrometerObserver.of(broken))) {
            assertThatCode(() -> Workload.run(guarded)).doesNotThrowAnyException();
            assertThat(guarded.call(Workload.PLAYER, Workload.ReadScore.class, 1, 1, () -> 42L)).isEqualTo(42L);
        }
    }

    @Test
    void twoObserversOnOneRegistry_addUp() {
        MicrometerObserver second = MicrometerObserver.of(registry);
        second.activated(Workload.ROOM, RuntimeObserver.ActivationKind.INIT);
        assertThat(gauge(SERVERS_ACTIVE, TYPE, "room")).isEqualTo(2);
        Counter init = registry.get(ACTIVATIONS).tags(TYPE, "room", KIND, "init").counter();
        assertThat(init.count()).isEqualTo(1);
    }
}

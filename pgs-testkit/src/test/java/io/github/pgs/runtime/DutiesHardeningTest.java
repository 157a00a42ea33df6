package io.github.pgs.runtime;

import io.github.pgs.LifecyclePolicy;
import io.github.pgs.MissedTicks;
import io.github.pgs.ServerId;
import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.TypeOptions;
import io.github.pgs.spi.DueCursor;
import io.github.pgs.spi.DuePage;
import io.github.pgs.spi.KeyCursor;
import io.github.pgs.spi.KeyPage;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.spi.Storage;
import io.github.pgs.spi.StoredState;
import io.github.pgs.testkit.ForwardingStorage;
import io.github.pgs.testkit.ServerTestKit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One bad stored row never stops the runtime-wide duties: recovery skips what it cannot use and goes on (and ends
 * even when the store's listing does not advance), and the reminder poller keeps waking every other due server.
 */
class DutiesHardeningTest extends RuntimeFixture {

    private static final TypeOptions REMEMBER = TypeOptions.builder().rememberActive(true).build();
    private static final TypeOptions PERMANENT = TypeOptions.builder().lifecycle(LifecyclePolicy.PERMANENT).build();

    @BeforeEach
    void alarms() {
        Alarm.reset();
    }

    private ServerRuntime runtimeOn(Storage storage, TypeOptions options, int maxKeyBytes) {
        return runtimeOn(storage, options, TypeOptions.DEFAULTS, maxKeyBytes);
    }

    private ServerRuntime runtimeOn(Storage storage, TypeOptions counters, TypeOptions alarms, int maxKeyBytes) {
        ServerRuntime r = ServerRuntime.builder().storage(storage).timeSource(time).scheduler(time)
                .shutdownTimeout(Duration.ofSeconds(5)).maxKeyBytes(maxKeyBytes)
                .register(ServerType.builder(Counter.class).options(counters).build())
                .register(ServerType.builder(Alarm.class).options(alarms).build())
                .build();
        runtimes.add(r);
        return r;
    }

    private void recovered(ServerRuntime r) {
        assertThat(r.awaitRecovery(Duration.ofSeconds(10))).as("recovery ends").isTrue();
        assertThat(r.awaitQuiescence(Duration.ofSeconds(10))).isTrue();
    }

    @Test
    void aMarkerThatDoesNotParse_isSkipped_andEveryOtherRememberedServerComesBack() {
        reopen(REMEMBER);
        runtime.ref(Counter.class, "a").call(new Counter.Inc());
        runtime.ref(Counter.class, "b").call(new Counter.Inc());
        // sorts before the good markers, so a recovery that stopped at it would revive nothing
        memory.save(new StateWrite(new ServerId("pgs.active", "!!not a server id"), 0, new byte[0], 1));

        reopen(REMEMBER); // close keeps the markers

        recovered(runtime);
        assertThat(runtime.isActive(id("a"))).isTrue();
        assertThat(runtime.isActive(id("b"))).isTrue();
    }

    @Test
    void aStoredKeyTheTypeRefuses_isSkipped_andTheOtherPermanentServersComeBack() {
        memory.save(new StateWrite(id("k".repeat(200)), 0, "{\"name\":\"x\",\"count\":1,\"friends\":[]}".getBytes(), 1));
        memory.save(new StateWrite(id("ok"), 0, "{\"name\":\"ok\",\"count\":1,\"friends\":[]}".getBytes(), 1));

        ServerRuntime r = runtimeOn(store, PERMANENT, 64);

        recovered(r);
        assertThat(r.isActive(id("ok"))).isTrue();
        assertThat(r.activeCount()).isEqualTo(1);
    }

    @Test
    void aListingThatDoesNotAdvance_endsThatTypesRecovery_andTheMarkersAreStillRead() {
        ServerRuntime first = runtimeOn(store, REMEMBER, 1024);
        first.ref(Counter.class, "marked").call(new Counter.Inc());
        first.close();
        runtimes.remove(first);
        Storage stuck = new StuckListing(store, "alarm");

        ServerRuntime r = runtimeOn(stuck, REMEMBER, PERMANENT, 1024); // the alarms' listing never ends

        recovered(r); // a listing that never ended would keep the recovery running
        assertThat(r.isActive(id("marked"))).as("revived from its marker").isTrue();
    }

    @Test
    void aDueReminderOfAKeyTheTypeRefuses_isSkipped_andTheOtherDueServersAreWoken() {
        ServerRuntime r = runtimeOn(store, TypeOptions.DEFAULTS, 64);
        Instant due = Instant.ofEpochMilli(time.currentTimeMillis()).plus(Duration.ofMinutes(5));
        ServerRef good = r.ref(Alarm.class, "good");
        good.call(new Alarm.At("wake", due, MissedTicks.FIRE_ONCE));
        StoredState written = memory.load(good.id());
        // a row the type refuses, due first: a poller that failed on it would never reach the good one
        memory.save(new StateWrite(new ServerId("alarm", "x".repeat(200)), 0, written.payload(), 1, 0,
                written.reminders(), written.remindAtMillis() - 1));
        r.petrify(good.id());
        ServerTestKit.advanceSettled(time, r, Duration.ofMinutes(6), Duration.ofSeconds(10));

        assertThat(good.call(new Alarm.Fired())).containsExactly("wake@" + due.toEpochMilli());
    }

    @Test
    void aReminderPassThatFails_isRetried_andTheRemindersStillFire() {
        ServerRuntime r = runtimeOn(store, TypeOptions.DEFAULTS, 1024);
        Instant due = Instant.ofEpochMilli(time.currentTimeMillis()).plus(Duration.ofMinutes(5));
        ServerRef ref = r.ref(Alarm.class, "retry");
        ref.call(new Alarm.At("wake", due, MissedTicks.FIRE_ONCE));
        r.petrify(ref.id());
        ServerTestKit.advanceSettled(time, r, Duration.ofMinutes(4), Duration.ofSeconds(10));

        store.down(true);
        ServerTestKit.advanceSettled(time, r, Duration.ofMinutes(2), Duration.ofSeconds(10));
        assertThat(Alarm.DELIVERIES).as("nothing can fire while the store is down").isEmpty();
        store.down(false);
        ServerTestKit.advanceSettled(time, r, Duration.ofSeconds(2), Duration.ofSeconds(10));

        assertThat(Alarm.DELIVERIES).containsExactly("retry:wake@" + due.toEpochMilli());
    }

    @Test
    void aPassCutShortByTheInFlightBound_goesOnWhereItStopped_andReadsEachDueRowOnce() {
        DueRowCounter counted = new DueRowCounter(store);
        ServerRuntime r = ServerRuntime.builder().storage(counted).timeSource(time).scheduler(time)
                .shutdownTimeout(Duration.ofSeconds(5)).reminderConcurrency(4)
                .register(ServerType.builder(Alarm.class).build()).build();
        runtimes.add(r);
        Instant due = Instant.ofEpochMilli(time.currentTimeMillis()).plus(Duration.ofMinutes(5));
        int good = 150;
        int bad = 300;
        for (int i = 0; i < good; i++) {
            ServerRef ref = r.ref(Alarm.class, "good-" + i);
            ref.call(new Alarm.At("wake", due, MissedTicks.FIRE_ONCE));
            r.petrify(ref.id());
        }
        // due at the same instant and read first; each wake-up quarantines its server, and its row stays due
        byte[] payload = memory.load(new ServerId("alarm", "good-0")).payload();
        for (int i = 0; i < bad; i++) {
            memory.save(new StateWrite(new ServerId("alarm", "bad-" + i), 0, payload, 1, 0, new byte[] {9, 9, 9},
                    due.toEpochMilli()));
        }
        ServerTestKit.advanceSettled(time, r, Duration.ofMinutes(5).minusMillis(1), Duration.ofSeconds(10));
        assertThat(Alarm.DELIVERIES).isEmpty();
        counted.rows.set(0);

        ServerTestKit.advanceSettled(time, r, Duration.ofMillis(1), Duration.ofSeconds(60));

        assertThat(Alarm.DELIVERIES).hasSize(good);
        assertThat(r.stats().quarantines()).isEqualTo(bad);
        // passes cut short every four wake-ups; each goes on where the last one stopped instead of re-reading
        assertThat(counted.rows.get()).as("due rows read").isLessThanOrEqualTo(2L * (good + bad));
    }

    @Test
    void anActiveServerTickingEveryFewMilliseconds_doesNotTurnEachOfItsWritesIntoAPass() {
        DueRowCounter counted = new DueRowCounter(store);
        ServerRuntime r = ServerRuntime.builder().storage(counted).timeSource(time).scheduler(time)
                .shutdownTimeout(Duration.ofSeconds(5)).register(ServerType.builder(Alarm.class).build()).build();
        runtimes.add(r);
        Instant first = Instant.ofEpochMilli(time.currentTimeMillis()).plusMillis(5);
        r.ref(Alarm.class, "ticker").call(new Alarm.Every("tick", first, Duration.ofMillis(5), MissedTicks.FIRE_ONCE));
        ServerTestKit.advanceSettled(time, r, Duration.ofMillis(1), Duration.ofSeconds(10));
        counted.scans.set(0);

        ServerTestKit.advanceSettled(time, r, Duration.ofSeconds(1), Duration.ofSeconds(30));

        // it fires its own ticks (each a write of its next one); the poller has nothing to wake
        assertThat(Alarm.DELIVERIES).hasSizeGreaterThanOrEqualTo(190);
        assertThat(counted.scans.get()).as("passes over the due servers in one second").isLessThanOrEqualTo(2);
    }

    /** Counts the poller's scans of due servers and the rows they read (not its look-ups of the earliest one). */
    private static final class DueRowCounter extends ForwardingStorage {
        final AtomicLong scans = new AtomicLong();
        final AtomicLong rows = new AtomicLong();

        DueRowCounter(Storage delegate) {
            super(delegate);
        }

        @Override
        public DuePage due(long nowMillis, DueCursor after, int limit) {
            DuePage page = super.due(nowMillis, after, limit);
            if (nowMillis != Long.MAX_VALUE) {
                scans.incrementAndGet();
                rows.addAndGet(page.servers().size() + page.skipped().size());
            }
            return page;
        }
    }

    /** A store whose listing of one type hands back the same page, with the same cursor, forever. */
    private static final class StuckListing extends ForwardingStorage {
        private final String type;

        StuckListing(Storage delegate, String type) {
            super(delegate);
            this.type = type;
        }

        @Override
        public KeyPage list(String t, KeyCursor after, int limit) {
            if (t.equals(type)) {
                return new KeyPage(List.of("x"), KeyCursor.after("x"));
            }
            return super.list(t, after, limit);
        }
    }
}

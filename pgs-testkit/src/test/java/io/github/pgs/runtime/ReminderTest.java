package io.github.pgs.runtime;

import io.github.pgs.MissedTicks;
import io.github.pgs.PersistenceException;
import io.github.pgs.QuarantinedException;
import io.github.pgs.Reminder;
import io.github.pgs.ServerCrashedException;
import io.github.pgs.ServerId;
import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.TypeOptions;
import io.github.pgs.admin.Admin;
import io.github.pgs.admin.ServerInfo;
import io.github.pgs.spi.DueServer;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.spi.StoredState;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Durable reminders on the manual clock: stored with the state in the same commit, fired into handleInfo while
 * active (by the activation's timer) and while petrified or after a restart (by the runtime's poller), missed
 * ticks, at-least-once delivery, wipe and crash.
 */
class ReminderTest extends RuntimeFixture {

    private static final Duration IDLE = Duration.ofSeconds(60);

    @BeforeEach
    void alarms() {
        Alarm.reset();
        runtime = alarmRuntime();
    }

    private ServerRuntime alarmRuntime() {
        ServerRuntime r = ServerRuntime.builder()
                .storage(store)
                .timeSource(time)
                .scheduler(time)
                .shutdownTimeout(Duration.ofSeconds(5))
                .register(ServerType.builder(Alarm.class)
                        .options(TypeOptions.builder().idleTimeout(IDLE).build()).build())
                .build();
        runtimes.add(r);
        return r;
    }

    /** Closes the runtime (petrifying everything), lets {@code downFor} pass, and starts a new one. */
    private void restart(Duration downFor) {
        runtime.close();
        time.advance(downFor);
        runtime = alarmRuntime();
        advance(Duration.ZERO); // the new runtime's first reminder pass runs at once
    }

    private void advance(Duration by) {
        io.github.pgs.testkit.ServerTestKit.advanceSettled(time, runtime, by, Duration.ofSeconds(10));
    }

    private Instant now() {
        return Instant.ofEpochMilli(time.currentTimeMillis());
    }

    private static ServerId alarm(String key) {
        return new ServerId("alarm", key);
    }

    private List<String> firedOf(String key) {
        return runtime.ref(Alarm.class, key).call(new Alarm.Fired());
    }

    @Test
    void oneShot_isStoredWithTheState_andFiresWhileActive() {
        ServerRef ref = runtime.ref(Alarm.class, "a");
        Instant due = now().plusSeconds(10);
        ref.call(new Alarm.At("wake", due, MissedTicks.FIRE_ONCE));

        StoredState stored = memory.load(alarm("a"));
        assertThat(stored.remindAtMillis()).as("written with the reply").isEqualTo(due.toEpochMilli());
        assertThat(stored.reminders()).isNotNull();

        advance(Duration.ofSeconds(9));
        assertThat(Alarm.DELIVERIES).isEmpty();
        advance(Duration.ofSeconds(1));
        assertThat(Alarm.DELIVERIES).containsExactly("a:wake@" + due.toEpochMilli());
        assertThat(firedOf("a")).containsExactly("wake@" + due.toEpochMilli());
        StoredState after = memory.load(alarm("a"));
        assertThat(after.reminders()).as("a fired one-shot reminder is gone from the store").isNull();
        assertThat(memory.due(Long.MAX_VALUE, null, 10).servers()).isEmpty();
        assertThat(runtime.stats().remindersFired()).isEqualTo(1);
    }

    @Test
    void theReminderTimer_isArmedWhenTheCallerHearsTheReply_evenWhileAFollowUpStillRuns() {
        ServerRef ref = runtime.ref(Alarm.class, "early");
        Instant due = now().plusSeconds(5);
        Alarm.CONTINUE_GATE = new CountDownLatch(1);

        try {
            assertThat(ref.call(new Alarm.AtThenContinue("wake", due))).isTrue();

            // the follow-up still runs: a caller that moves the clock now must still see the reminder fire on time
            assertThat(time.pendingDelays()).as("timers pending at the reply").contains(Duration.ofSeconds(5));
            time.advance(Duration.ofSeconds(5));
        } finally {
            Alarm.CONTINUE_GATE.countDown();
        }
        advance(Duration.ZERO);
        assertThat(Alarm.DELIVERIES).containsExactly("early:wake@" + due.toEpochMilli());
    }

    @Test
    void reminder_wakesAPetrifiedServer() {
        ServerRef ref = runtime.ref(Alarm.class, "sleeper");
        Instant due = now().plus(Duration.ofMinutes(10));
        ref.call(new Alarm.At("wake", due, MissedTicks.FIRE_ONCE));
        advance(IDLE.plusSeconds(1));
        assertThat(runtime.isActive(ref.id())).as("petrified while waiting").isFalse();

        advance(Duration.between(now(), due)); // due now; petrifying again would take another idle timeout

        assertThat(Alarm.DELIVERIES).containsExactly("sleeper:wake@" + due.toEpochMilli());
        assertThat(runtime.isActive(ref.id())).as("the reminder revived it").isTrue();
        assertThat(firedOf("sleeper")).containsExactly("wake@" + due.toEpochMilli());
    }

    @Test
    void reminder_firesAfterAWholeRestart_onceForAllMissedTicks() {
        ServerRef ref = runtime.ref(Alarm.class, "p");
        Instant first = now().plus(Duration.ofMinutes(1));
        ref.call(new Alarm.Every("tick", first, Duration.ofMinutes(1), MissedTicks.FIRE_ONCE));
        advance(Duration.ofMinutes(3));
        assertThat(firedOf("p")).hasSize(3);

        restart(Duration.ofHours(1)); // 60 ticks missed while nothing ran

        List<String> fired = firedOf("p");
        assertThat(fired).as("one delivery for the missed ticks, not a backlog").hasSize(4);
        assertThat(fired.get(3)).isEqualTo("tick@" + first.plus(Duration.ofMinutes(3)).toEpochMilli());
        Reminder next = runtime.ref(Alarm.class, "p").call(new Alarm.Scheduled()).get("tick");
        assertThat(next.due()).as("next tick after now, on the original schedule")
                .isEqualTo(first.plus(Duration.ofMinutes(63)));
        advance(Duration.ofMinutes(2));
        assertThat(firedOf("p")).hasSize(6);
    }

    @Test
    void skipPolicy_dropsMissedTicks_butKeepsTheSchedule() {
        Instant first = now().plus(Duration.ofMinutes(1));
        runtime.ref(Alarm.class, "s").call(new Alarm.Every("tick", first, Duration.ofMinutes(1), MissedTicks.SKIP));
        runtime.ref(Alarm.class, "once").call(new Alarm.At("late", first, MissedTicks.SKIP));

        restart(Duration.ofHours(1));

        assertThat(firedOf("s")).as("missed by more than the grace: skipped").isEmpty();
        assertThat(firedOf("once")).isEmpty();
        assertThat(runtime.ref(Alarm.class, "once").call(new Alarm.Scheduled()))
                .as("a missed one-shot SKIP reminder is removed").isEmpty();
        assertThat(memory.load(alarm("once")).reminders()).isNull();
        advance(Duration.ofMinutes(1));
        assertThat(firedOf("s")).as("the next tick on schedule fires").hasSize(1);
    }

    @Test
    void tickWithinTheGrace_isNotMissed_evenWithSkip() {
        Instant due = now().plus(Duration.ofMinutes(1));
        runtime.ref(Alarm.class, "g").call(new Alarm.At("soon", due, MissedTicks.SKIP));

        restart(Duration.ofSeconds(90)); // 30 s late, within the default grace of one minute

        assertThat(firedOf("g")).containsExactly("soon@" + due.toEpochMilli());
    }

    @Test
    void cancel_removesTheReminder_withTheTurnsCommit() {
        ServerRef ref = runtime.ref(Alarm.class, "c");
        ref.call(new Alarm.After("x", Duration.ofMinutes(5)));
        assertThat(ref.call(new Alarm.Cancel("x"))).isTrue();
        assertThat(ref.call(new Alarm.Cancel("x"))).isFalse();
        assertThat(memory.load(alarm("c")).reminders()).isNull();

        advance(Duration.ofMinutes(10));
        assertThat(Alarm.DELIVERIES).isEmpty();
    }

    @Test
    void schedulingAgain_replacesTheReminderOfThatName() {
        ServerRef ref = runtime.ref(Alarm.class, "r");
        ref.call(new Alarm.After("x", Duration.ofMinutes(5)));
        ref.call(new Alarm.After("x", Duration.ofMinutes(1)));

        Map<String, Reminder> scheduled = ref.call(new Alarm.Scheduled());
        assertThat(scheduled).hasSize(1);
        assertThat(scheduled.get("x").due()).isEqualTo(now().plus(Duration.ofMinutes(1)));
        advance(Duration.ofMinutes(10));
        assertThat(Alarm.DELIVERIES).hasSize(1);
    }

    @Test
    void normalStop_wipesTheReminders_andNothingFires() {
        ServerRef ref = runtime.ref(Alarm.class, "w");
        ref.call(new Alarm.After("x", Duration.ofMinutes(5)));
        ref.call(new Alarm.Done());

        assertThat(memory.load(alarm("w")).isTombstone()).isTrue();
        assertThat(memory.due(Long.MAX_VALUE, null, 10).servers()).isEmpty();
        advance(Duration.ofMinutes(10));
        assertThat(Alarm.DELIVERIES).isEmpty();
        assertThat(runtime.isActive(alarm("w"))).as("a wiped server is not brought back").isFalse();
    }

    @Test
    void crashInTheSchedulingTurn_keepsNothingOfIt() {
        ServerRef ref = runtime.ref(Alarm.class, "b");
        ref.call(new Alarm.Fired()); // store a first state

        assertThatThrownBy(() -> ref.call(new Alarm.AtThenBoom("x", now().plusSeconds(5))))
                .isInstanceOf(ServerCrashedException.class);

        assertThat(memory.load(alarm("b")).reminders()).isNull();
        advance(Duration.ofMinutes(1));
        assertThat(Alarm.DELIVERIES).isEmpty();
    }

    @Test
    void crashWhileHandlingAReminder_deliversItAgain_atLeastOnce() {
        ServerRef ref = runtime.ref(Alarm.class, "again");
        Instant due = now().plusSeconds(10);
        ref.call(new Alarm.At("x", due, MissedTicks.FIRE_ONCE));
        Alarm.CRASH_NEXT_DELIVERIES.set(1);

        // the activation's timer delivers it and the handler crashes: the reminder is still stored as due, and
        // the poller wakes the crashed server again within a poll interval
        advance(Duration.ofSeconds(12));

        assertThat(Alarm.DELIVERIES).containsExactly("again:x@" + due.toEpochMilli(), "again:x@" + due.toEpochMilli());
        assertThat(firedOf("again")).as("recorded once, by the delivery that committed")
                .containsExactly("x@" + due.toEpochMilli());
        assertThat(memory.load(alarm("again")).reminders()).isNull();
    }

    @Test
    void failedWrite_ofTheSchedulingTurn_failsTheCaller_andSchedulesNothing() {
        ServerRef ref = runtime.ref(Alarm.class, "f");
        ref.call(new Alarm.Fired());
        store.failNextSaves(1);

        assertThatThrownBy(() -> ref.call(new Alarm.After("x", Duration.ofSeconds(5))))
                .isInstanceOf(PersistenceException.class);

        assertThat(memory.load(alarm("f")).reminders()).isNull();
        assertThat(ref.call(new Alarm.Scheduled())).as("the in-memory set was discarded with the state").isEmpty();
        advance(Duration.ofMinutes(1));
        assertThat(Alarm.DELIVERIES).isEmpty();
    }

    @Test
    void reminderOfANoPersistTurn_isWrittenWithTheNextWrite_andStillFiresWhileActive() {
        ServerRef ref = runtime.ref(Alarm.class, "np");
        ref.call(new Alarm.Fired());
        Instant due = now().plusSeconds(30);
        ref.call(new Alarm.AtNoPersist("x", due));
        assertThat(memory.load(alarm("np")).reminders()).isNull();

        advance(Duration.ofSeconds(30));

        assertThat(firedOf("np")).containsExactly("x@" + due.toEpochMilli());
    }

    @Test
    void manyServersDue_atOnce_areAllWoken() {
        int n = 300;
        Instant due = now().plus(Duration.ofMinutes(5));
        for (int i = 0; i < n; i++) {
            runtime.ref(Alarm.class, "m" + i).call(new Alarm.At("x", due, MissedTicks.FIRE_ONCE));
        }
        restart(Duration.ofMinutes(5));

        assertThat(Alarm.DELIVERIES).hasSize(n);
        assertThat(memory.due(Long.MAX_VALUE, null, 10).servers()).isEmpty();
        assertThat(runtime.stats().remindersFired()).isEqualTo(n);
    }

    @Test
    void reminderOfAnUnregisteredType_isLeftAlone() {
        ServerId other = new ServerId("not-registered", "k");
        store.save(new StateWrite(other, 0, "{}".getBytes(), 1, 0, new byte[] {1, 0, 0, 0, 0}, 1));
        advance(Duration.ofMinutes(2));
        assertThat(runtime.isActive(other)).isFalse();
        assertThat(memory.due(Long.MAX_VALUE, null, 10).servers()).extracting(DueServer::id).containsExactly(other);
    }

    @Test
    void undecodableStoredReminders_quarantineTheServer_andLeaveTheBytesAlone() {
        ServerId id = alarm("corrupt");
        byte[] garbage = {9, 9, 9};
        store.save(new StateWrite(id, 0, "{\"fired\":[]}".getBytes(), 1, 0, garbage, 1));

        assertThatThrownBy(() -> runtime.ref(Alarm.class, "corrupt").call(new Alarm.Fired()))
                .isInstanceOf(QuarantinedException.class)
                .hasMessageContaining("reminders");
        assertThat(memory.load(id).reminders()).isEqualTo(garbage);
    }

    @Test
    void badReminders_crashTheHandler_withAClearError() {
        ServerRef ref = runtime.ref(Alarm.class, "bad");
        assertThatThrownBy(() -> ref.call(new Alarm.After("", Duration.ofSeconds(1))))
                .isInstanceOf(ServerCrashedException.class).hasRootCauseInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ref.call(new Alarm.After("x".repeat(256), Duration.ofSeconds(1))))
                .isInstanceOf(ServerCrashedException.class).hasRootCauseMessage(
                        "a reminder name must have 1 to 255 UTF-8 bytes: 256");
        assertThatThrownBy(() -> runtime.ref(Alarm.class, "bad2").call(new Alarm.Many(1_001, now().plusSeconds(5))))
                .isInstanceOf(ServerCrashedException.class).hasRootCauseMessage(
                        "a server holds at most 1000 reminders");
        assertThat(runtime.ref(Alarm.class, "bad3").call(new Alarm.Many(1_000, now().plusSeconds(5))))
                .isEqualTo(1_000);
    }

    @Test
    void admin_inspect_showsTheReminders() {
        ServerRef ref = runtime.ref(Alarm.class, "i");
        Instant due = now().plus(Duration.ofMinutes(2));
        ref.call(new Alarm.Every("beat", due, Duration.ofSeconds(30), MissedTicks.SKIP));
        ref.call(new Alarm.At("once", due.plusSeconds(60), MissedTicks.FIRE_ONCE));

        ServerInfo info = Admin.of(runtime).inspect(ref.id());

        assertThat(info.reminders()).containsExactly(
                new Reminder("beat", due, Duration.ofSeconds(30), MissedTicks.SKIP),
                new Reminder("once", due.plusSeconds(60), null, MissedTicks.FIRE_ONCE));
    }

    @Test
    void ephemeralRuntime_refusesDurableReminders() {
        ServerRuntime ephemeral = ServerRuntime.builder().ephemeral().timeSource(time).scheduler(time).build();
        runtimes.add(ephemeral);
        ServerRef ref = ephemeral.start(Alarm.class, "e");

        assertThatThrownBy(() -> ref.call(new Alarm.After("x", Duration.ofSeconds(1))))
                .isInstanceOf(ServerCrashedException.class)
                .hasRootCauseInstanceOf(UnsupportedOperationException.class);
    }
}

package io.github.pgs.internal;

import io.github.pgs.MissedTicks;
import io.github.pgs.Reminder;
import io.github.pgs.spi.Scheduler;

import java.time.Duration;
import java.util.Map;

/**
 * The durable reminders of one activation: the set (written with the state, in the same commit), whether it
 * changed since the last write, and the timer that fires its earliest reminder while the server is active. Made
 * when a server first has reminders; most never do. Drain thread only.
 *
 * <p>Each due tick is one {@code handleInfo(ReminderFired)} turn whose commit carries the set with that tick
 * taken (and nothing later), so a crash or a failed write leaves the rest stored as due: they fire again (at
 * least once). While the server is petrified, the runtime's poller wakes it instead.
 */
final class ActivationReminders {

    private final ReminderSet set;
    private boolean changed;
    private boolean timerStale;
    private Scheduler.Cancellable timer;

    private ActivationReminders(ReminderSet set) {
        this.set = set;
    }

    /** The stored set, or {@code null} when there is none (a null or empty stored form). */
    static ActivationReminders ofStored(byte[] stored) {
        if (stored == null) {
            return null;
        }
        ActivationReminders r = new ActivationReminders(ReminderSet.decode(stored));
        r.timerStale = true;
        return r;
    }

    static ActivationReminders empty() {
        return new ActivationReminders(new ReminderSet());
    }

    void put(String name, long dueMillis, long periodMillis, MissedTicks missed, Map<String, String> origin) {
        set.put(name, dueMillis, periodMillis, missed, origin);
        changed = true;
        timerStale = true;
    }

    boolean remove(String name) {
        boolean removed = set.remove(name);
        if (removed) {
            changed = true;
            timerStale = true;
        }
        return removed;
    }

    Map<String, Reminder> view() {
        return set.view();
    }

    boolean changed() {
        return changed;
    }

    byte[] encode() {
        return set.encode();
    }

    long nextDueMillis() {
        return set.nextDueMillis();
    }

    /** The set as it stands was written. */
    void written() {
        changed = false;
    }

    /** Takes the next due tick (moving its reminder on), or {@code null} when nothing is due. */
    ReminderSet.Tick takeNextDue(long nowMillis, long graceMillis) {
        ReminderSet.Tick tick = set.takeNextDue(nowMillis, graceMillis);
        if (tick != null) {
            changed = true;
            timerStale = true;
        }
        return tick;
    }

    /** (Re)arms the timer for the earliest reminder if the set changed since it was armed. */
    void armTimer(Scheduler scheduler, long nowMillis, Runnable fire) {
        if (!timerStale) {
            return;
        }
        timerStale = false;
        cancelTimer();
        if (set.isEmpty()) {
            return;
        }
        long delay = Math.max(0, set.nextDueMillis() - nowMillis);
        timer = scheduler.schedule(Duration.ofMillis(delay), fire);
    }

    /** The timer fired (its task is done). */
    void timerFired() {
        timer = null;
    }

    void cancelTimer() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }
}

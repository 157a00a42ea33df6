package io.github.pgs.internal;

import io.github.pgs.MissedTicks;
import io.github.pgs.Reminder;
import io.github.pgs.ServerId;
import io.github.pgs.TimerRef;
import io.github.pgs.spi.RuntimeObserver;

import java.time.Duration;
import java.util.Map;

/**
 * What {@code ServerContext} reaches of the server whose handler runs on the calling thread: its identity, its
 * volatile timers and its durable reminders. Every method checks that it is called by that handler, on its
 * drain thread, during its turn.
 */
final class HandlerScope implements Registry.Turn {

    private final Activation<?, ?> a;

    HandlerScope(Activation<?, ?> a) {
        this.a = a;
    }

    @Override
    public Registry.Target self() {
        return a.target();
    }

    @Override
    public ServerId id() {
        return a.id;
    }

    @Override
    public TimerRef timer(Object message, Duration delay, boolean periodic, boolean keepsAlive) {
        requireTurn("timers");
        RuntimeObserver o = a.rt.observer;
        Object origin = o == null ? null : o.scheduled(a.id, RuntimeObserver.Kind.TIMER);
        return a.timers().start(a, message, delay, periodic, keepsAlive, origin);
    }

    @Override
    public long wallClockMillis() {
        return a.rt.time.currentTimeMillis();
    }

    @Override
    public void remind(String name, long dueMillis, long periodMillis, MissedTicks missed) {
        ActivationReminders set = reminderSet();
        RuntimeObserver o = a.rt.observer;
        // where it was set travels with the reminder as headers: it may fire after a restart, on another node
        set.put(name, dueMillis, periodMillis, missed,
                o == null ? null : TraceHeaders.inject(o, o.scheduled(a.id, RuntimeObserver.Kind.REMINDER)));
    }

    @Override
    public boolean cancelReminder(String name) {
        return reminderSet().remove(name);
    }

    @Override
    public Map<String, Reminder> reminders() {
        return reminderSet().view();
    }

    private ActivationReminders reminderSet() {
        requireTurn("reminders");
        a.rt.path.requireReminders();
        if (a.reminders == null) {
            a.reminders = ActivationReminders.empty();
        }
        return a.reminders;
    }

    private void requireTurn(String what) {
        if (!a.holdsTurn()) {
            throw new IllegalStateException(what + " can only be used by the server's own handler");
        }
    }
}

package io.github.pgs;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A durable reminder as it is scheduled: stored with the server's state, it fires {@link ReminderFired} into
 * {@link GenServer#handleInfo} at {@code due}, reviving the server if it is petrified, even after a restart of
 * the whole application. Set through {@link ServerContext#remindAt} and {@link ServerContext#remindEvery}.
 *
 * @param name        unique per server; scheduling a name again replaces it
 * @param due         when it fires next
 * @param period      the period of a periodic reminder, {@code null} for a one-shot reminder
 * @param missedTicks what happens to ticks that could not be delivered in time
 */
public record Reminder(String name, Instant due, Duration period, MissedTicks missedTicks) {

    public Reminder {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(due, "due");
        Objects.requireNonNull(missedTicks, "missedTicks");
        if (period != null && period.toMillis() < 1) {
            throw new IllegalArgumentException("period must be at least 1 ms: " + period);
        }
    }

    /** Whether it fires again after {@link #due}. */
    public boolean periodic() {
        return period != null;
    }
}

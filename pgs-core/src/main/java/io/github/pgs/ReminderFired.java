package io.github.pgs;

import java.time.Instant;

/**
 * The message a durable reminder delivers to {@link GenServer#handleInfo}. Delivery is at least once: a reminder
 * whose handler crashed, or whose server could not persist the turn, fires again; make the handling idempotent
 * (for example, compare {@link #due} with what the state already records).
 *
 * @param name    the reminder's name
 * @param due     the tick being delivered (for {@link MissedTicks#FIRE_ONCE}, the oldest missed tick)
 * @param firedAt when the runtime delivered it (its clock)
 */
public record ReminderFired(String name, Instant due, Instant firedAt) {
}

package io.github.pgs;

/**
 * What a durable reminder does with ticks it missed: ticks handled more than the runtime's reminder grace after
 * they were due (because every runtime was down, or busy). Never a backlog: however many ticks were missed, at
 * most one is delivered.
 */
public enum MissedTicks {

    /** Deliver one {@link ReminderFired} for everything missed, then go on from the next tick after now. */
    FIRE_ONCE,

    /**
     * Deliver nothing for missed ticks: a periodic reminder moves on to its next tick after now, a one-shot
     * reminder is removed unfired.
     */
    SKIP
}

package io.github.pgs.internal;

import java.util.concurrent.atomic.LongAdder;

/** Runtime counters; striped so that counting costs no contention on the hot path. */
final class Stats {
    final LongAdder activations = new LongAdder();
    final LongAdder revivals = new LongAdder();
    final LongAdder petrifications = new LongAdder();
    final LongAdder stops = new LongAdder();
    final LongAdder crashes = new LongAdder();
    final LongAdder quarantines = new LongAdder();
    final LongAdder calls = new LongAdder();
    final LongAdder casts = new LongAdder();
    final LongAdder writes = new LongAdder();
    final LongAdder writeFailures = new LongAdder();
    final LongAdder remindersFired = new LongAdder();

    void activated() { activations.increment(); }
    void revived() { revivals.increment(); }
    void petrified() { petrifications.increment(); }
    void stopped() { stops.increment(); }
    void crashed() { crashes.increment(); }
    void quarantined() { quarantines.increment(); }
    void wrote() { writes.increment(); }
    void writeFailed() { writeFailures.increment(); }
    void reminderFired() { remindersFired.increment(); }
}

package io.github.pgs.internal;

import io.github.pgs.RuntimeStats;

import java.util.concurrent.atomic.LongAdder;

/**
 * The counters of one type in one runtime; striped so that counting costs no contention on the hot path. The
 * runtime's own counters are the sum over its types.
 */
final class TypeStats {
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
    /** Activations of this type in the registry now (quarantine markers included, as in the runtime's count). */
    final LongAdder active = new LongAdder();

    RuntimeStats snapshot() {
        return new RuntimeStats(activations.sum(), revivals.sum(), petrifications.sum(), stops.sum(), crashes.sum(),
                quarantines.sum(), calls.sum(), casts.sum(), writes.sum(), writeFailures.sum(),
                (int) Math.max(0, active.sum()), remindersFired.sum());
    }

    /** {@code total} plus the counters of {@code b}, field by field; {@code total}'s active count is kept. */
    static RuntimeStats sum(RuntimeStats total, RuntimeStats b) {
        return new RuntimeStats(total.activations() + b.activations(), total.revivals() + b.revivals(),
                total.petrifications() + b.petrifications(), total.stops() + b.stops(),
                total.crashes() + b.crashes(), total.quarantines() + b.quarantines(), total.calls() + b.calls(),
                total.casts() + b.casts(), total.writes() + b.writes(), total.writeFailures() + b.writeFailures(),
                total.active(), total.remindersFired() + b.remindersFired());
    }
}

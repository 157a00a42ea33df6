package io.github.pgs.internal;

import io.github.pgs.LifecyclePolicy;
import io.github.pgs.spi.StorageCapability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The runtime-wide duties, switched on and off together: start-up recovery of {@code PERMANENT} and remembered
 * servers (run once each time the duties go on), the durable-reminder poller, and the TTL sweeps of the types
 * registered on the builder with a {@code ttl}. A single JVM runs them from the start; with a placement engine
 * exactly one node does, as the engine says. Their wake-ups and expiries go through {@link Wakes} and the TTL
 * judge, so the server's owner acts on it.
 */
final class Duties {

    private static final System.Logger LOG = System.getLogger("io.github.pgs");

    private final Services rt;
    private final TypeRegistry types;
    private final Wakes wakes;
    private final Expiry.Judge ttlJudge;
    private final List<TypeRuntime<?, ?>> swept;
    private final int recoveryRate;
    private final ReminderPoller poller;
    private final List<PeriodicJob> sweeps = new ArrayList<>();
    private boolean on; // guarded by this
    private Thread recovery; // guarded by this

    Duties(Services rt, TypeRegistry types, Wakes wakes, Expiry.Judge ttlJudge, Registry.Config config) {
        this.rt = rt;
        this.types = types;
        this.wakes = wakes;
        this.ttlJudge = ttlJudge;
        this.recoveryRate = config.recoveryRate();
        this.swept = rt.storage == null ? List.of()
                : types.all().stream().filter(t -> t.options().expires()).toList();
        this.poller = rt.dueWatch.supported()
                ? new ReminderPoller(rt, types, wakes, config.reminderPollInterval(), config.reminderConcurrency())
                : null;
    }

    /** Whether the store keeps reminders (its declared capability). */
    static boolean remindersKept(Registry.Config config) {
        return config.storage() != null && config.storage().capabilities().contains(StorageCapability.REMINDERS);
    }

    synchronized void on() {
        if (on || rt.storage == null || rt.dispatcher.isClosed()) {
            return;
        }
        on = true;
        boolean recover = types.all().stream().anyMatch(t ->
                t.options().lifecycle() == LifecyclePolicy.PERMANENT || t.options().rememberActive());
        if (recover) {
            recovery = Recovery.start(rt, types, wakes, recoveryRate);
        }
        if (poller != null) {
            poller.start();
        }
        for (TypeRuntime<?, ?> t : swept) {
            Duration ttl = t.options().ttl();
            Duration interval = ttl.compareTo(Registry.DEFAULT_TTL_INTERVAL) < 0 ? ttl : Registry.DEFAULT_TTL_INTERVAL;
            sweeps.add(new PeriodicJob(rt.scheduler, interval, Registry.VIRTUAL_THREAD_PER_RUN,
                    () -> sweep(t), e -> LOG.log(System.Logger.Level.WARNING, "TTL sweep of type '" + t.name()
                    + "' failed; retrying at the next interval", e)).start());
        }
    }

    synchronized void off() {
        on = false;
        if (poller != null) {
            poller.stop();
        }
        sweeps.forEach(PeriodicJob::close);
        sweeps.clear();
    }

    private void sweep(TypeRuntime<?, ?> t) {
        long cutoff = StoreTools.saturatedMinus(rt.time.currentTimeMillis(), t.options().ttl());
        StoreTools.Sweep outcome = new StoreTools.Sweep(row -> rt.skippedRows.report("TTL sweep", List.of(row)),
                (id, state) -> { });
        Expiry.scan(rt.storage, t.name(), cutoff, false, ttlJudge, outcome);
        if (!outcome.deleted.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "runtime " + rt.name + ": TTL sweep of type '" + t.name()
                    + "' deleted " + outcome.deleted.size() + " states");
        }
    }

    /** Waits for the last start-up recovery to finish; {@code true} if it did (or there was none). */
    boolean awaitRecovery(Duration timeout) {
        Thread r;
        synchronized (this) {
            r = recovery;
        }
        if (r == null) {
            return true;
        }
        try {
            return r.join(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}

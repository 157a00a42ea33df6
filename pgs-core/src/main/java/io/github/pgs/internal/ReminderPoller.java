package io.github.pgs.internal;

import io.github.pgs.ServerId;
import io.github.pgs.spi.DueCursor;
import io.github.pgs.spi.DuePage;
import io.github.pgs.spi.DueServer;
import io.github.pgs.spi.Scheduler;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wakes petrified servers whose durable reminders are due: one of the cluster-wide duties, started and stopped
 * with them. An active server fires its own reminders through its reminder timer.
 *
 * <h2>Algorithm</h2>
 * A pass pages through {@code Storage.due(now, after, PAGE)} and wakes (through {@link Wakes}) the servers not
 * active here, at most {@code maxInFlight} at a time: when that many are still being woken, the pass ends where
 * it is and keeps the rest of its page; once half of those wake-ups have completed, the next pass goes on with
 * that rest and then the store's cursor after it (no thread waits for a permit, and no row is read twice however
 * many servers are due at one instant). Passes run every {@code interval} while
 * reminders are due soon; when the earliest stored reminder is further away the poller sleeps until then (at most
 * {@value #MAX_POLL_SLEEP_INTERVALS} intervals, so that reminders other runtimes write are seen), and a server of
 * this runtime that writes an earlier reminder wakes it sooner ({@link DueWatch}), though never sooner than one
 * interval after the last pass: a server that is active fires its own reminders, so its writes (every few
 * milliseconds for a short period) must not turn into a pass over every due row each time.
 *
 * <h2>Hazards</h2>
 * One bad row must not stop the others: a due entry whose server cannot be woken (a type not registered here, a
 * key the type refuses) is skipped and counted; a pass that fails as a whole is retried one interval later and
 * reported once until a pass succeeds again. Passes run on a virtual thread of their own, never on the
 * scheduler's thread, and count as work for {@code awaitQuiescence}.
 */
final class ReminderPoller {

    private static final System.Logger LOG = System.getLogger("io.github.pgs");
    /** The longest the poller sleeps, in poll intervals, when nothing is due sooner. */
    static final int MAX_POLL_SLEEP_INTERVALS = 60;
    /** Due servers per page. */
    static final int PAGE = 500;

    private final Services rt;
    private final TypeRegistry types;
    private final Wakes wakes;
    private final long intervalMillis;
    private final int maxInFlight;
    /** A pass cut short goes on when no more than this many wake-ups are still in flight. */
    private final int resumeAtInFlight;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean polling = new AtomicBoolean();
    private final Object lock = new Object();
    private Scheduler.Cancellable timer; // guarded by lock
    private long nextAtMillis = Long.MAX_VALUE; // guarded by lock
    private long lastPassMillis = Long.MIN_VALUE / 2; // when the last pass started; guarded by lock
    private boolean again; // guarded by lock
    private boolean stopped = true; // guarded by lock
    private String failing; // the failure last reported; touched by one pass at a time
    private long skipped; // touched by one pass at a time
    private DuePage unreached; // what a pass cut short by the in-flight bound did not reach; one pass at a time
    private final AtomicBoolean cutShort = new AtomicBoolean();

    ReminderPoller(Services rt, TypeRegistry types, Wakes wakes, Duration interval, int maxInFlight) {
        this.rt = rt;
        this.types = types;
        this.wakes = wakes;
        this.intervalMillis = Math.max(1, interval.toMillis());
        this.maxInFlight = maxInFlight;
        this.resumeAtInFlight = maxInFlight / 2;
    }

    void start() {
        synchronized (lock) {
            stopped = false;
        }
        rt.dueWatch.poller(this::written);
        pollBy(rt.time.currentTimeMillis());
    }

    void stop() {
        rt.dueWatch.poller(null);
        synchronized (lock) {
            stopped = true;
            if (timer != null) {
                timer.cancel();
                timer = null;
            }
            nextAtMillis = Long.MAX_VALUE;
        }
    }

    /** A server of this runtime wrote a reminder due at {@code atMillis}. */
    private void written(long atMillis) {
        long notBefore;
        synchronized (lock) {
            notBefore = lastPassMillis + intervalMillis;
        }
        pollBy(Math.max(atMillis, notBefore));
    }

    /** Makes sure a pass runs by {@code atMillis}. */
    private void pollBy(long atMillis) {
        synchronized (lock) {
            if (stopped || rt.dispatcher.isClosed() || (timer != null && atMillis >= nextAtMillis)) {
                return;
            }
            if (timer != null) {
                timer.cancel();
            }
            nextAtMillis = atMillis;
            long delay = Math.max(0, atMillis - rt.time.currentTimeMillis());
            timer = rt.scheduler.schedule(Duration.ofMillis(delay), this::due);
        }
    }

    private void due() {
        synchronized (lock) {
            timer = null;
            nextAtMillis = Long.MAX_VALUE;
            if (stopped || rt.dispatcher.isClosed()) {
                return;
            }
            if (!polling.compareAndSet(false, true)) {
                again = true; // a pass is running; it schedules another when it ends
                return;
            }
            again = false;
            lastPassMillis = rt.time.currentTimeMillis();
        }
        rt.dispatcher.workStarted();
        Thread.ofVirtual().name("pgs-reminders").start(this::pass);
    }

    private void pass() {
        long next = rt.time.currentTimeMillis() + intervalMillis;
        try {
            if (wakeDueServers()) {
                next = nextPollMillis();
            } // else the wake-ups in flight ask for the next pass as they complete; one interval later at the latest
            if (failing != null) {
                LOG.log(System.Logger.Level.INFO, "runtime " + rt.name + ": reminder polls work again");
                failing = null;
            }
        } catch (RuntimeException e) {
            if (!rt.dispatcher.isClosed() && !e.getClass().getName().equals(failing)) {
                failing = e.getClass().getName();
                LOG.log(System.Logger.Level.WARNING, "runtime " + rt.name + ": reminder poll failed; retrying every "
                        + intervalMillis + " ms, reported again only when it changes", e);
            }
        } finally {
            boolean more;
            synchronized (lock) {
                polling.set(false);
                more = again;
                again = false;
            }
            pollBy(more ? rt.time.currentTimeMillis() + intervalMillis : next);
            rt.dispatcher.drainEnded();
        }
    }

    /** When the next pass should run, given the earliest reminder the store holds. */
    private long nextPollMillis() {
        long now = rt.time.currentTimeMillis();
        long latest = now + intervalMillis * MAX_POLL_SLEEP_INTERVALS;
        DuePage first = rt.storage.due(Long.MAX_VALUE, null, 1);
        if (first.servers().isEmpty()) {
            // nothing stored, or the earliest row is unreadable (then poll at the usual pace)
            return first.skipped().isEmpty() ? latest : now + intervalMillis;
        }
        return Math.min(latest, Math.max(first.servers().getFirst().remindAtMillis(), now + intervalMillis));
    }

    /** One pass over the due servers; returns whether it saw them all (not cut short by the in-flight bound). */
    boolean wakeDueServers() {
        long now = rt.time.currentTimeMillis();
        DuePage page = unreached != null ? unreached : read(now, null);
        unreached = null;
        while (!rt.dispatcher.isClosed()) {
            List<DueServer> servers = page.servers();
            for (int i = 0; i < servers.size(); i++) {
                if (!admit()) {
                    // the next pass goes on with the rest of this page (still due: a reminder only moves later)
                    unreached = new DuePage(servers.subList(i, servers.size()), page.next(), List.of());
                    return false;
                }
                wake(servers.get(i).id());
            }
            if (page.next() == null) {
                return true;
            }
            page = read(now, page.next());
        }
        return true;
    }

    private DuePage read(long now, DueCursor after) {
        DuePage due = rt.storage.due(now, after, PAGE);
        rt.skippedRows.report("reminder scan", due.skipped());
        return due;
    }

    /** Whether one more server may be woken now; if not, completing wake-ups start the next pass. */
    private boolean admit() {
        if (inFlight.get() < maxInFlight) {
            return true;
        }
        cutShort.set(true);
        // a wake-up that completed between the check and the flag did not see the flag: look once more
        return inFlight.get() < maxInFlight && cutShort.compareAndSet(true, false);
    }

    private void wake(ServerId stored) {
        TypeRuntime<?, ?> t = types.find(stored.type());
        if (t == null || rt.dispatcher.get(stored) != null) {
            return; // not ours to run, or here already (its own timer fires it, or it is quarantined)
        }
        ServerId id;
        try {
            id = t.checkedId(stored.key());
        } catch (RuntimeException refused) {
            if (skipped++ == 0) {
                LOG.log(System.Logger.Level.WARNING, "runtime " + rt.name + ": a due reminder of type " + t.name()
                        + " belongs to a key the type refuses; skipped (further ones are skipped silently)");
            }
            return;
        }
        inFlight.incrementAndGet();
        AtomicBoolean released = new AtomicBoolean();
        wakes.remind(t, id, () -> {
            if (released.compareAndSet(false, true) && inFlight.decrementAndGet() <= resumeAtInFlight
                    && cutShort.compareAndSet(true, false)) {
                pollBy(rt.time.currentTimeMillis()); // the pass that was cut short goes on
            }
        });
    }
}

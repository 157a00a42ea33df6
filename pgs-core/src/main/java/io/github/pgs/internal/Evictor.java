package io.github.pgs.internal;

import io.github.pgs.spi.RuntimeObserver;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Keeps the number of active servers of a runtime at or below its bound by petrifying the least recently used
 * idle ones. Off the hot path: a sender that pushes the count over the bound only {@link #kick}s a single
 * virtual thread, which takes a snapshot of the activations, sorts the idle ones by last activity and asks the
 * oldest to petrify (each persists first, as on an idle timeout). Last-activity reads are racy by design: the
 * order is a heuristic, correctness never depends on it.
 */
final class Evictor {

    private static final System.Logger LOG = System.getLogger("io.github.pgs");

    private final int maxActive;
    private final Iterable<Activation<?, ?>> activations;
    private final java.util.function.IntSupplier count;
    private final AtomicBoolean kicked = new AtomicBoolean();
    private final Thread thread;
    private volatile boolean stopped;

    Evictor(int maxActive, Iterable<Activation<?, ?>> activations, java.util.function.IntSupplier count) {
        this.maxActive = maxActive;
        this.activations = activations;
        this.count = count;
        this.thread = Thread.ofVirtual().name("pgs-evictor").unstarted(this::run);
        this.thread.start();
    }

    private record Candidate(Activation<?, ?> activation, long lastActivity) {
    }

    void kick() {
        if (kicked.compareAndSet(false, true)) {
            LockSupport.unpark(thread);
        }
    }

    void stop() {
        stopped = true;
        LockSupport.unpark(thread);
    }

    private void run() {
        while (!stopped) {
            if (!kicked.getAndSet(false)) {
                LockSupport.park(this);
                continue;
            }
            try {
                evict();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "eviction pass failed", e);
            }
        }
    }

    /** One pass: petrify the oldest idle servers beyond the bound, plus 1% slack so passes stay rare. */
    private void evict() {
        int excess = count.getAsInt() - maxActive;
        if (excess <= 0) {
            return;
        }
        // snapshot the times first: they change while we sort, and a comparator must see fixed values
        List<Candidate> idle = new ArrayList<>();
        int pending = 0;
        for (Activation<?, ?> a : activations) {
            if (a.petrifyPending()) {
                pending++; // asked by an earlier pass, not gone yet: do not ask for more on its account
            } else if (a.isIdle()) {
                idle.add(new Candidate(a, a.lastActivity()));
            }
        }
        int target = excess - pending + Math.max(1, maxActive / 100);
        if (target <= 0) {
            return;
        }
        idle.sort((x, y) -> Long.compare(x.lastActivity, y.lastActivity));
        for (int i = 0; i < Math.min(target, idle.size()); i++) {
            Activation<?, ?> a = idle.get(i).activation;
            a.rt.askedFor(a, RuntimeObserver.PetrifyCause.EVICTED);
            a.post(Envelope.Signal.PETRIFY_NOW);
        }
    }
}

package io.github.pgs.internal;

import io.github.pgs.ServerId;
import io.github.pgs.spi.Storage;
import io.github.pgs.spi.StoredState;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.LockSupport;

/**
 * Coalesces the loads of concurrent activations into {@link Storage#loadAll} queries, on the activations' own
 * threads, without ever making a load wait behind a slow query it is not part of.
 *
 * <h2>Algorithm</h2>
 * A load queues its request, then tries to take one of {@code lanes} permits. A lane holder takes up to
 * {@code maxBatch} queued requests and runs them as one query, answering each (answered waiters are unparked),
 * until its own request is answered; then it releases the lane and wakes the request at the head of the queue,
 * if any, to take the lane next. A load that finds every lane busy parks until it is answered or woken to lead.
 * So a load without contention is one single-key query on the caller's thread, and under contention a query
 * carries every load that arrived while the previous one ran.
 *
 * <h2>Why nothing is stranded</h2>
 * A request is queued before its thread tries for a lane. If the try fails, some holder has not yet released; every
 * release is followed by a wake-up of the queue's head, and a woken head either finds its answer or tries for the
 * lane again ({@link LockSupport#unpark} before {@code park} is not lost). The head is therefore always either
 * being served, or has a wake-up coming.
 *
 * <h2>Failures</h2>
 * A batch that fails is retried key by key, so every load gets its own outcome: one bad key never fails the
 * others. A query that hangs holds one lane; the other lanes go on serving the queue.
 */
final class LoadBatcher {

    private static final class Request {
        final ServerId id;
        final Thread waiter = Thread.currentThread();
        volatile StoredState state;
        volatile Throwable failure;

        Request(ServerId id) {
            this.id = id;
        }

        boolean answered() {
            return state != null || failure != null;
        }

        void answer(StoredState s) {
            state = s;
            LockSupport.unpark(waiter);
        }

        void fail(Throwable t) {
            failure = t;
            LockSupport.unpark(waiter);
        }
    }

    private final Storage storage;
    private final int maxBatch;
    private final Semaphore lanes;
    private final ConcurrentLinkedQueue<Request> queue = new ConcurrentLinkedQueue<>();

    LoadBatcher(Storage storage, int lanes, int maxBatch) {
        this.storage = storage;
        this.lanes = new Semaphore(lanes);
        this.maxBatch = maxBatch;
    }

    /** Loads {@code id}, possibly in one query with other activations' loads. */
    StoredState load(ServerId id) {
        Request r = new Request(id);
        queue.add(r);
        await(r, r);
        return outcome(r);
    }

    /**
     * Loads two servers' states, in one query when nothing else is queued between them (an activation that needs a
     * second record beside its state pays no second round trip); the first failure is thrown.
     */
    StoredState[] loadBoth(ServerId first, ServerId second) {
        Request a = new Request(first);
        Request b = new Request(second);
        queue.add(a);
        queue.add(b);
        await(a, b);
        return new StoredState[] {outcome(a), outcome(b)};
    }

    /** Serves or waits until both {@code a} and {@code b} are answered (the same request twice for one). */
    private void await(Request a, Request b) {
        boolean interrupted = false;
        while (!(a.answered() && b.answered())) {
            if (lanes.tryAcquire()) {
                try {
                    serveUntilAnswered(a, b);
                } finally {
                    lanes.release();
                    Request head = queue.peek();
                    if (head != null) {
                        LockSupport.unpark(head.waiter);
                    }
                }
                if (!(a.answered() && b.answered())) {
                    // the queue ran dry before our answers: another lane's query carries them
                    LockSupport.park(this);
                    interrupted |= Thread.interrupted();
                }
            } else {
                LockSupport.park(this);
                interrupted |= Thread.interrupted();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static StoredState outcome(Request r) {
        if (r.failure instanceof RuntimeException e) {
            throw e;
        }
        if (r.failure instanceof Error e) {
            throw e;
        }
        return r.state;
    }

    /** Runs batches until {@code a} and {@code b} are answered, or the queue is empty (another lane has them). */
    private void serveUntilAnswered(Request a, Request b) {
        while (!(a.answered() && b.answered())) {
            List<Request> batch = new ArrayList<>();
            Request next;
            while (batch.size() < maxBatch && (next = queue.poll()) != null) {
                batch.add(next);
            }
            if (batch.isEmpty()) {
                return;
            }
            run(batch);
        }
    }

    private void run(List<Request> batch) {
        if (batch.size() == 1) {
            one(batch.getFirst());
            return;
        }
        Map<ServerId, StoredState> loaded;
        try {
            List<ServerId> ids = new ArrayList<>(batch.size());
            for (Request r : batch) {
                ids.add(r.id);
            }
            loaded = storage.loadAll(ids);
        } catch (RuntimeException | Error batchFailed) {
            batch.forEach(this::one); // each key gets its own outcome
            return;
        }
        for (Request r : batch) {
            StoredState s = loaded.get(r.id);
            if (s != null) {
                r.answer(s);
            } else {
                one(r); // a store that left a key out: ask for it alone
            }
        }
    }

    private void one(Request r) {
        try {
            r.answer(storage.load(r.id));
        } catch (RuntimeException | Error e) {
            r.fail(e);
        }
    }
}

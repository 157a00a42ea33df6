package io.github.pgs.store.support;

import io.github.pgs.StorageException;
import io.github.pgs.spi.StoreObserver;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Group commit for store implementations: many threads {@link #submit} one item each and block; a few writer
 * threads take whatever has queued up (at most {@code maxBatch}), hand it to the {@link BatchHandler} as one
 * batch (one transaction, one pipeline), and complete every item with its own outcome.
 *
 * <h2>Algorithm</h2>
 * Batches form naturally: while a writer is busy with one batch, new items queue, and the next batch takes them
 * all. Under light load a batch is one item and adds no latency; under heavy load one commit serves many
 * callers. {@code maxWait} optionally lingers for more items when a batch is not full (default zero: never
 * wait). With {@code writers > 1}, several batches are in flight at once (useful for servers with several
 * connections; SQLite uses one).
 *
 * <h2>Hazards</h2>
 * The handler must complete every entry it can tell apart (one failing row must not fail the others); entries it
 * leaves open are completed with the handler's exception if it throws, or with a {@link StorageException}
 * otherwise. After {@link #close()}, queued items are still written and new ones are refused. An
 * {@linkplain #observe observer} hears of each batch on the writer thread after its entries were completed, so it
 * never delays the callers of that batch (only the next batch, by as long as it takes).
 *
 * @param <T> the submitted item
 * @param <R> the per-item result
 */
public final class GroupCommit<T, R> implements AutoCloseable {

    /** Writes one batch and completes each entry. */
    @FunctionalInterface
    public interface BatchHandler<T, R> {
        void handle(List<Entry<T, R>> batch) throws Exception;
    }

    /** One submitted item waiting for its outcome. */
    public static final class Entry<T, R> {
        private final T item;
        private final CompletableFuture<R> outcome = new CompletableFuture<>();
        /** Written and read by the writer thread only. */
        private boolean handedOff;

        private Entry(T item) {
            this.item = item;
        }

        public T item() {
            return item;
        }

        /** Completes this entry successfully (first completion wins). */
        public void succeed(R result) {
            outcome.complete(result);
        }

        /** Completes this entry with {@code error} (first completion wins). */
        public void fail(RuntimeException error) {
            outcome.completeExceptionally(error);
        }

        public boolean isDone() {
            return outcome.isDone();
        }

        /**
         * Takes this entry out of its batch's bookkeeping: whoever it was handed to completes it later, after the
         * handler returned (a store that syncs its log beside the next batch, say), and must complete it even when
         * the store closes. The batch leaves it alone, even if the handler then throws. Call from the handler only.
         */
        public void handOff() {
            handedOff = true;
        }
    }

    private static final Entry<?, ?> POISON = new Entry<>(null);

    /**
     * Splits {@code batch} into rounds in which no key appears twice, for backends that cannot write a row twice
     * in one statement: a key's n-th entry goes to round n, so running the rounds in order applies each key's
     * entries in queue order, exactly as if they had come one by one. A batch of one is one round. The rounds
     * are new lists the caller may reorder.
     *
     * @param key the entry's row identity (with equals and hashCode by content)
     */
    public static <T, R> List<List<Entry<T, R>>> rounds(List<Entry<T, R>> batch, Function<T, ?> key) {
        if (batch.size() == 1) {
            return List.of(new ArrayList<>(batch));
        }
        Map<Object, Integer> seen = new HashMap<>(batch.size() * 2);
        List<List<Entry<T, R>>> rounds = new ArrayList<>(1);
        for (Entry<T, R> e : batch) {
            int n = seen.merge(key.apply(e.item()), 1, Integer::sum) - 1;
            if (n == rounds.size()) {
                rounds.add(new ArrayList<>(n == 0 ? batch.size() : 4));
            }
            rounds.get(n).add(e);
        }
        return rounds;
    }

    private final String name;
    private final int maxBatch;
    private final long maxWaitNanos;
    private final BatchHandler<T, R> handler;
    private final LinkedBlockingQueue<Entry<T, R>> queue = new LinkedBlockingQueue<>();
    private final List<Thread> writers = new ArrayList<>();
    private volatile boolean closed;
    /** Hears of every batch; {@code null} when nobody listens (then no clock is read). */
    private volatile StoreObserver observer;

    /**
     * @param name     names the writer threads ({@code pgs-<name>-writer-N})
     * @param writers  writer threads, each with at most one batch in flight (&ge; 1)
     * @param maxBatch the largest batch (&ge; 1)
     * @param maxWait  how long a writer lingers for a fuller batch (zero: never)
     * @param handler  writes a batch
     */
    public GroupCommit(String name, int writers, int maxBatch, Duration maxWait, BatchHandler<T, R> handler) {
        if (writers < 1 || maxBatch < 1) {
            throw new IllegalArgumentException("writers and maxBatch must be >= 1");
        }
        this.name = Objects.requireNonNull(name, "name");
        this.maxBatch = maxBatch;
        this.maxWaitNanos = maxWait.toNanos();
        this.handler = Objects.requireNonNull(handler, "handler");
        for (int i = 0; i < writers; i++) {
            Thread t = Thread.ofPlatform().daemon().name("pgs-" + name + "-writer-" + i).unstarted(this::run);
            this.writers.add(t);
            t.start();
        }
    }

    /**
     * Queues {@code item}, waits for its batch, and returns its result or throws its failure (a
     * {@link RuntimeException} as the handler gave it).
     *
     * @throws StorageException if closed, or if the waiting thread is interrupted (the item may still be written)
     */
    public R submit(T item) {
        if (closed) {
            throw new StorageException(name + " is closed", null);
        }
        Entry<T, R> e = new Entry<>(item);
        queue.add(e);
        if (closed && queue.remove(e)) {
            // close() ran between the check above and the add: nobody will take this entry any more
            throw new StorageException(name + " is closed", null);
        }
        try {
            return e.outcome.get();
        } catch (ExecutionException ex) {
            Throwable cause = ex.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new StorageException(name + " write failed", cause);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new StorageException(name + ": interrupted while waiting for the write (outcome unknown)", ex);
        }
    }

    @SuppressWarnings("unchecked")
    private void run() {
        List<Entry<T, R>> batch = new ArrayList<>(maxBatch);
        try {
            while (true) {
                Entry<T, R> first = queue.take();
                if (first == POISON) {
                    return;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                if (maxWaitNanos > 0 && batch.size() < maxBatch) {
                    long deadline = System.nanoTime() + maxWaitNanos;
                    while (batch.size() < maxBatch) {
                        long left = deadline - System.nanoTime();
                        Entry<T, R> more = left <= 0 ? null : queue.poll(left, TimeUnit.NANOSECONDS);
                        if (more == null) {
                            break;
                        }
                        batch.add(more);
                        queue.drainTo(batch, maxBatch - batch.size());
                    }
                }
                int poisons = 0;
                for (int i = batch.size() - 1; i >= 0; i--) {
                    if (batch.get(i) == POISON) {
                        batch.remove(i);
                        poisons++;
                    }
                }
                write(batch);
                batch.clear();
                if (poisons > 0) {
                    for (int i = 1; i < poisons; i++) {
                        queue.add((Entry<T, R>) POISON); // one per writer: hand back what this one took extra
                    }
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Reports every batch from now on to {@code observer} (guarded: what it throws is logged and ignored) under this
     * group commit's name as the store label; {@code null} stops reporting.
     */
    public void observe(StoreObserver observer) {
        this.observer = StoreObserver.guarded(observer);
    }

    private void write(List<Entry<T, R>> batch) {
        if (batch.isEmpty()) {
            return;
        }
        StoreObserver o = observer;
        long started = o == null ? 0 : System.nanoTime();
        RuntimeException failure = null;
        try {
            handler.handle(batch);
        } catch (RuntimeException e) {
            failure = e;
        } catch (Exception e) {
            failure = new StorageException(name + " batch failed: " + e.getMessage(), e);
        } catch (Error e) {
            failure = new StorageException(name + " batch failed: " + e, e);
        }
        for (Entry<T, R> e : batch) {
            if (!e.isDone() && !e.handedOff) {
                e.fail(failure != null ? failure
                        : new StorageException(name + ": batch handler left an entry without outcome", null));
            }
        }
        if (o != null) {
            o.batchWritten(name, batch.size(), System.nanoTime() - started, failure);
        }
    }

    /**
     * How many submitted items wait for a writer to take them (not counting the batches being written). A
     * snapshot for monitoring and tests; it walks the queue.
     */
    public int queued() {
        int n = 0;
        for (Entry<T, R> e : queue) {
            if (e != POISON) {
                n++;
            }
        }
        return n;
    }

    /** Writes what is queued, then stops the writer threads. Idempotent. */
    @Override
    @SuppressWarnings("unchecked")
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = 0; i < writers.size(); i++) {
            queue.add((Entry<T, R>) POISON);
        }
        for (Thread t : writers) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        // entries that slipped in behind the stop signals: fail them rather than leave their callers waiting
        for (Entry<T, R> e; (e = queue.poll()) != null; ) {
            if (e != POISON) {
                e.fail(new StorageException(name + " is closed", null));
            }
        }
    }
}

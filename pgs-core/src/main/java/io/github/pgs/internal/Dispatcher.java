package io.github.pgs.internal;

import io.github.pgs.Call;
import io.github.pgs.GenServerException;
import io.github.pgs.NoSuchServerException;
import io.github.pgs.RuntimeClosedException;
import io.github.pgs.SelfCallException;
import io.github.pgs.ServerId;
import io.github.pgs.StopReason;
import io.github.pgs.StorageException;
import io.github.pgs.spi.RuntimeObserver;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The active table of one runtime (one {@link Activation} per {@link ServerId}) and the delivery of every
 * message to its activation, on this node.
 *
 * <h2>Algorithm</h2>
 * {@link #deliver} tries the ref's last activation first (its hint), then looks the id up; if absent it installs
 * a fresh activation with {@code putIfAbsent} (so concurrent first messages agree on one); then it offers the
 * envelope. An activation that refuses (it is dead: petrified or stopped) is removed with
 * {@code remove(id, activation)} (helping the dying one, harmless if it already left) and the loop retries. A
 * fresh activation can only be installed once the old one has left the table, and an activation leaves only
 * after persisting: that is the whole of the race-free petrify argument. Only a live activation accepts a
 * message, and a live activation is always the registered one, so a stale hint can only cost a fall-back to the
 * lookup, never a misdelivery.
 *
 * <h2>Hazards</h2>
 * A caller that waits ({@code call}, {@code stop}, {@code start}) waits through {@link CallDeadlines}, on the
 * runtime's clock. {@link #close} waits for real work in real time: a frozen manual clock must never keep a
 * runtime from closing.
 */
final class Dispatcher {

    private static final System.Logger LOG = System.getLogger("io.github.pgs");
    /** How long a drain thread with nothing to do is kept for the next drain. */
    static final long DRAIN_KEEP_ALIVE_MILLIS = 2_000;
    /** How many drain threads with nothing to do are kept at most. */
    static final int DRAIN_MAX_IDLE = 256;

    final Operations operations;
    private final Services rt;
    private final ActiveTable<Activation<?, ?>> active = new ActiveTable<>();
    private final AtomicInteger activeCount = new AtomicInteger();
    private final AtomicInteger running = new AtomicInteger();
    private final Object quiescence = new Object();
    private final DrainPool drains;
    private final Evictor evictor;
    private final int maxActive;
    private final AtomicLong ephemeralIds = new AtomicLong();
    private final List<GenServerException> shutdownFailures = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    Dispatcher(Services rt, int maxActive) {
        this.rt = rt;
        this.maxActive = maxActive;
        this.drains = new DrainPool("pgs-server", DRAIN_KEEP_ALIVE_MILLIS, DRAIN_MAX_IDLE, rt.time, rt.scheduler);
        this.evictor = maxActive < Integer.MAX_VALUE && rt.storage != null
                ? new Evictor(maxActive, active, activeCount::get) : null;
        this.operations = new Operations(rt, this);
    }

    // ---------------------------------------------------------------- delivery

    /** Delivers {@code e} from a caller, through the ref's hint when it still holds a live activation. */
    void deliver(Registry.Target t, Envelope e) {
        if (closed) {
            throw new RuntimeClosedException(t.id);
        }
        Activation<?, ?> last = t.last;
        if (last != null) {
            if (e instanceof CallEnvelope<?> && last.onDrainThread()) {
                throw new SelfCallException(t.id);
            }
            if (last.offer(e)) {
                return;
            }
        }
        t.last = offer(t.type(), t.id, t.args, e, true);
    }

    /** Offers {@code e} to the live activation of {@code id}, installing one if needed; returns it. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    Activation<?, ?> offer(TypeRuntime<?, ?> type, ServerId id, Object args, Envelope e, boolean fromCaller) {
        while (true) {
            Activation<?, ?> a = active.get(id);
            if (a == null) {
                if (rt.storage == null) {
                    throw new NoSuchServerException(id); // an ephemeral server that stopped is gone
                }
                if (closed) {
                    throw new RuntimeClosedException(id);
                }
                Activation<?, ?> fresh = new Activation(rt, type, id, args);
                a = active.putIfAbsent(id, fresh);
                if (a == null) {
                    a = fresh;
                    installed(type);
                }
            }
            if (fromCaller && e instanceof CallEnvelope<?> && a.onDrainThread()) {
                throw new SelfCallException(id);
            }
            if (a.offer(e)) {
                return a;
            }
            removed(a);
        }
    }

    private void installed(TypeRuntime<?, ?> type) {
        type.stats.active.increment();
        if (activeCount.incrementAndGet() > maxActive && evictor != null) {
            evictor.kick();
        }
    }

    /** Hands an envelope left in a dead activation's mailbox to whatever activation now serves the id. */
    void redeliver(TypeRuntime<?, ?> type, ServerId id, Object args, Envelope e) {
        try {
            offer(type, id, args, e, false);
        } catch (GenServerException ex) {
            Envelope.fail(e, ex);
        }
    }

    /** Starts a crashed PERMANENT server again, in the background. */
    void restartEagerly(TypeRuntime<?, ?> type, ServerId id, Object args) {
        if (closed) {
            return;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        done.whenComplete((v, ex) -> {
            if (ex != null) {
                LOG.log(System.Logger.Level.WARNING, "eager restart of " + id + " failed: " + ex.getMessage());
            }
        });
        redeliver(type, id, args, new Envelope.Start(done));
    }

    <R> R callSync(Registry.Target t, Call<R> request, Duration timeout) {
        RuntimeObserver o = rt.observer;
        if (o != null) {
            return ObservedSends.call(o, rt, t.id, request.getClass(), trace -> callSync(t, request, timeout, trace));
        }
        return callSync(t, request, timeout, null);
    }

    private <R> R callSync(Registry.Target t, Call<R> request, Duration timeout, Object trace) {
        CompletableFuture<R> f = new CompletableFuture<>();
        deliver(t, new CallEnvelope<>(t.id, request, f, trace));
        t.type().stats.calls.increment();
        return rt.deadlines.await(f, t.id, timeout);
    }

    <R> CompletableFuture<R> callAsync(Registry.Target t, Call<R> request, Duration timeout) {
        RuntimeObserver o = rt.observer;
        if (o != null) {
            return ObservedSends.callAsync(o, rt, t.id, request.getClass(),
                    trace -> callAsync(t, request, timeout, trace));
        }
        return callAsync(t, request, timeout, null);
    }

    private <R> CompletableFuture<R> callAsync(Registry.Target t, Call<R> request, Duration timeout, Object trace) {
        CompletableFuture<R> f = new CompletableFuture<>();
        try {
            deliver(t, new CallEnvelope<>(t.id, request, f, trace));
            t.type().stats.calls.increment();
        } catch (GenServerException e) {
            f.completeExceptionally(e);
            return f;
        }
        return rt.deadlines.orTimeout(f, t.id, timeout);
    }

    void cast(Registry.Target t, Object message, boolean info) {
        RuntimeObserver o = rt.observer;
        if (o != null) {
            ObservedSends.cast(o, rt, t.id, info, message.getClass(), trace -> cast(t, message, info, trace));
            return;
        }
        cast(t, message, info, null);
    }

    private void cast(Registry.Target t, Object message, boolean info, Object trace) {
        deliver(t, new Envelope.Cast(message, info, trace));
        t.type().stats.casts.increment();
    }

    void stop(Registry.Target t, StopReason reason, Duration timeout) {
        Activation<?, ?> current = active.get(t.id);
        if (current != null && current.onDrainThread()) {
            throw new SelfCallException(t.id);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        deliver(t, new Envelope.StopRequest(reason, done));
        rt.deadlines.await(done, t.id, timeout);
    }

    /** Activates the server now (loading or running {@code init}) and waits until it is active. */
    void start(Registry.Target t, Duration timeout) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        deliver(t, new Envelope.Start(done));
        rt.deadlines.await(done, t.id, timeout);
    }

    /** A new id for an ephemeral server, installed at once (ephemeral ids are never reused). */
    <A> ServerId installEphemeral(TypeRuntime<A, ?> type, A args) {
        ServerId id = type.checkedId("#" + ephemeralIds.incrementAndGet());
        if (closed) {
            throw new RuntimeClosedException(id);
        }
        active.putIfAbsent(id, new Activation<>(rt, type, id, args));
        installed(type);
        return id;
    }

    // ---------------------------------------------------------------- activations' callbacks

    void startDrain(Activation<?, ?> a) {
        running.incrementAndGet();
        try {
            drains.execute(a);
        } catch (Throwable t) {
            drainEnded();
            throw t;
        }
    }

    void drainEnded() {
        if (running.decrementAndGet() == 0) {
            synchronized (quiescence) {
                quiescence.notifyAll();
            }
        }
    }

    /** Work outside a drain (a reminder pass) that {@link #awaitQuiescence} must wait for too. */
    void workStarted() {
        running.incrementAndGet();
    }

    void removed(Activation<?, ?> a) {
        if (active.remove(a.id, a)) {
            a.type.stats.active.decrement();
            activeCount.decrementAndGet();
        }
    }

    void petrifyFailed(ServerId id, RuntimeException failure) {
        shutdownFailures.add(failure instanceof GenServerException g ? g
                : new StorageException(id, "could not persist while petrifying", failure));
    }

    // ---------------------------------------------------------------- what is here

    Activation<?, ?> get(ServerId id) {
        return active.get(id);
    }

    boolean isActive(ServerId id) {
        Activation<?, ?> a = active.get(id);
        return a != null && a.phase().accepts();
    }

    /** Whether {@code id} is quarantined here, or recorded as quarantined (it fails fast when a message comes). */
    boolean isQuarantined(ServerId id) {
        Activation<?, ?> a = active.get(id);
        return a != null ? a.phase() == Lifecycle.QUARANTINED : rt.path.knownQuarantine(id);
    }

    boolean isClosed() {
        return closed;
    }

    int activeCount() {
        return activeCount.get();
    }

    /** The servers held here, as this runtime's TTL sweeps judge them. */
    StoreTools.ServerView view() {
        return new StoreTools.ServerView(this::isActive, this::isQuarantined, operations::release, this::petrify);
    }

    /** Asks the server here to petrify once its queued messages are handled; whether there was one. */
    boolean petrify(ServerId id) {
        Activation<?, ?> a = active.get(id);
        if (a == null) {
            return false;
        }
        a.post(Envelope.Signal.PETRIFY_NOW); // ignored by a quarantine marker: it holds nothing
        return true;
    }

    /** Drops a quarantine marker; whether there was one. */
    boolean releaseQuarantine(ServerId id) {
        Activation<?, ?> a = active.get(id);
        if (a != null && a.release()) {
            removed(a);
            rt.departed(id);
            if (rt.observer != null) {
                rt.observer.released(id); // the marker is gone: however it went (operator, close, hand-off)
            }
            return true;
        }
        return false;
    }

    /**
     * Petrifies every activation whose id matches (quarantine markers are dropped: the quarantine is not theirs to
     * keep here); completes when every one has departed.
     */
    CompletableFuture<Void> handOff(Predicate<ServerId> which) {
        List<CompletableFuture<Ending>> gone = new ArrayList<>();
        for (Activation<?, ?> a : active) {
            if (!which.test(a.id)) {
                continue;
            }
            if (a.phase() == Lifecycle.QUARANTINED) {
                releaseQuarantine(a.id);
            } else {
                gone.add(a.departure());
                rt.askedFor(a, RuntimeObserver.PetrifyCause.HANDOFF);
                a.post(Envelope.Signal.PETRIFY_NOW);
            }
        }
        return CompletableFuture.allOf(gone.toArray(CompletableFuture[]::new));
    }

    /** Waits until no server has a message being handled or queued (timers may post more later). */
    boolean awaitQuiescence(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (quiescence) {
            while (running.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(quiescence, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * Refuses new messages, petrifies every active server after its queued messages (writing what write-behind
     * and on-petrify servers hold) and waits for their departures, at most {@code timeout} of real time.
     *
     * @return failures to persist during shutdown (empty when everything was written)
     */
    List<GenServerException> close(Duration timeout) {
        closed = true;
        if (evictor != null) {
            evictor.stop();
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<CompletableFuture<Ending>> gone = new ArrayList<>();
            for (Activation<?, ?> a : active) {
                if (a.phase() == Lifecycle.QUARANTINED) {
                    releaseQuarantine(a.id); // only a marker: nothing to persist
                } else {
                    gone.add(a.departure());
                    a.post(Envelope.Signal.SHUTDOWN);
                }
            }
            if (gone.isEmpty()) {
                break;
            }
            try {
                CompletableFuture.allOf(gone.toArray(CompletableFuture[]::new))
                        .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                LOG.log(System.Logger.Level.ERROR, "runtime " + rt.name + " closed with " + active.size()
                        + " servers still busy (a handler that never returns?)");
                shutdownFailures.add(new GenServerException(null, active.size()
                        + " servers did not petrify within " + timeout));
                break;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                shutdownFailures.add(new GenServerException(null, "interrupted while closing"));
                break;
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("a departure never fails", e);
            }
        }
        drains.close();
        return List.copyOf(shutdownFailures);
    }

    /** The activations, for the evictor and the operator views (weakly consistent). */
    Iterable<Activation<?, ?>> activations() {
        return active;
    }
}

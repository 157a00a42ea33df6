package io.github.pgs.spi;

import io.github.pgs.ServerId;
import io.github.pgs.StopReason;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The guard and the fan-out behind {@link RuntimeObserver#guarded}, {@link StoreObserver#guarded} and
 * {@link RuntimeObserver#all}.
 *
 * <h2>Algorithm</h2>
 * {@link Guarded} forwards every method inside {@code try / catch (Throwable)}: a failure is logged (the first one
 * of the observer at {@code WARNING} with its stack trace, later ones at {@code DEBUG}, so a broken observer does
 * not flood the log at the rate of messages) and the method returns as if the observer had done nothing
 * ({@code null} for contexts). {@link Composite} guards each of its observers and keeps their contexts side by
 * side in a {@link Contexts}, which it allocates only when at least one of them returned a context.
 *
 * <h2>Hazards</h2>
 * Catching {@link Throwable} also swallows {@link Error}s of the observer (a missing class of an optional
 * integration, a stack overflow inside it): deliberate, since nothing an observer does may break a server. The
 * contexts an observer receives back are only ever those it returned itself, also through a composite.
 */
final class Observers {

    private static final System.Logger LOG = System.getLogger("io.github.pgs");

    private Observers() {
    }

    private static void failed(Object observer, AtomicBoolean warned, String method, Throwable t) {
        if (warned.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, "observer " + observer.getClass().getName() + " threw from "
                    + method + "; ignored (further failures of this observer are logged at DEBUG)", t);
        } else {
            LOG.log(System.Logger.Level.DEBUG, () -> "observer " + observer.getClass().getName() + " threw from "
                    + method + ": " + t);
        }
    }

    /** A store observer whose failures are logged and ignored. */
    static final class GuardedStore implements StoreObserver {
        private final StoreObserver target;
        private final AtomicBoolean warned = new AtomicBoolean();

        GuardedStore(StoreObserver target) {
            this.target = target;
        }

        @Override
        public void batchWritten(String store, int entries, long nanos, Throwable failure) {
            try {
                target.batchWritten(store, entries, nanos, failure);
            } catch (Throwable t) {
                failed(target, warned, "batchWritten", t);
            }
        }
    }

    /** A runtime observer whose failures are logged and ignored. */
    static final class Guarded implements RuntimeObserver {
        private final RuntimeObserver target;
        private final AtomicBoolean warned = new AtomicBoolean();

        Guarded(RuntimeObserver target) {
            this.target = target;
        }

        private void failed(String method, Throwable t) {
            Observers.failed(target, warned, method, t);
        }

        @Override
        public void activated(ServerId id, ActivationKind kind) {
            try {
                target.activated(id, kind);
            } catch (Throwable t) {
                failed("activated", t);
            }
        }

        @Override
        public void deactivated(ServerId id) {
            try {
                target.deactivated(id);
            } catch (Throwable t) {
                failed("deactivated", t);
            }
        }

        @Override
        public void petrified(ServerId id, PetrifyCause cause) {
            try {
                target.petrified(id, cause);
            } catch (Throwable t) {
                failed("petrified", t);
            }
        }

        @Override
        public void stopped(ServerId id, StopReason reason) {
            try {
                target.stopped(id, reason);
            } catch (Throwable t) {
                failed("stopped", t);
            }
        }

        @Override
        public void crashed(ServerId id, Throwable cause) {
            try {
                target.crashed(id, cause);
            } catch (Throwable t) {
                failed("crashed", t);
            }
        }

        @Override
        public void quarantined(ServerId id, String lastFailure) {
            try {
                target.quarantined(id, lastFailure);
            } catch (Throwable t) {
                failed("quarantined", t);
            }
        }

        @Override
        public void released(ServerId id) {
            try {
                target.released(id);
            } catch (Throwable t) {
                failed("released", t);
            }
        }

        @Override
        public void recovered(ServerId id) {
            try {
                target.recovered(id);
            } catch (Throwable t) {
                failed("recovered", t);
            }
        }

        @Override
        public Object sendStarted(ServerId to, Kind kind, Class<?> message) {
            try {
                return target.sendStarted(to, kind, message);
            } catch (Throwable t) {
                failed("sendStarted", t);
                return null;
            }
        }

        @Override
        public void sendEnded(Object context, ServerId to, Kind kind, Class<?> message, long nanos,
                              Throwable failure) {
            try {
                target.sendEnded(context, to, kind, message, nanos, failure);
            } catch (Throwable t) {
                failed("sendEnded", t);
            }
        }

        @Override
        public Object turnStarted(ServerId id, Kind kind, Class<?> message, Object origin, int waiting) {
            try {
                return target.turnStarted(id, kind, message, origin, waiting);
            } catch (Throwable t) {
                failed("turnStarted", t);
                return null;
            }
        }

        @Override
        public void turnEnded(Object context, ServerId id, Kind kind, Class<?> message, long nanos,
                              TurnOutcome outcome, Throwable failure) {
            try {
                target.turnEnded(context, id, kind, message, nanos, outcome, failure);
            } catch (Throwable t) {
                failed("turnEnded", t);
            }
        }

        @Override
        public Object storeStarted(ServerId id, StoreOp op) {
            try {
                return target.storeStarted(id, op);
            } catch (Throwable t) {
                failed("storeStarted", t);
                return null;
            }
        }

        @Override
        public void storeEnded(Object context, ServerId id, StoreOp op, String store, long nanos,
                               StoreOutcome outcome, int bytes, Throwable failure) {
            try {
                target.storeEnded(context, id, op, store, nanos, outcome, bytes, failure);
            } catch (Throwable t) {
                failed("storeEnded", t);
            }
        }

        @Override
        public Object scheduled(ServerId id, Kind kind) {
            try {
                return target.scheduled(id, kind);
            } catch (Throwable t) {
                failed("scheduled", t);
                return null;
            }
        }

        @Override
        public void reminderFired(ServerId id, long latenessMillis, boolean delivered) {
            try {
                target.reminderFired(id, latenessMillis, delivered);
            } catch (Throwable t) {
                failed("reminderFired", t);
            }
        }

        @Override
        public void inject(Object context, BiConsumer<String, String> headers) {
            try {
                target.inject(context, headers);
            } catch (Throwable t) {
                failed("inject", t);
            }
        }

        @Override
        public Object extract(Function<String, String> headers) {
            try {
                return target.extract(headers);
            } catch (Throwable t) {
                failed("extract", t);
                return null;
            }
        }

        @Override
        public void batchWritten(String store, int entries, long nanos, Throwable failure) {
            try {
                target.batchWritten(store, entries, nanos, failure);
            } catch (Throwable t) {
                failed("batchWritten", t);
            }
        }
    }

    /** The contexts of a composite's observers, by position; {@code null} where one returned none. */
    record Contexts(Object[] each) {
    }

    /** Tells several observers everything, each guarded, each with its own contexts. */
    static final class Composite implements RuntimeObserver {
        private final RuntimeObserver[] all;

        Composite(RuntimeObserver[] observers) {
            this.all = new RuntimeObserver[observers.length];
            for (int i = 0; i < observers.length; i++) {
                this.all[i] = RuntimeObserver.guarded(observers[i]);
            }
        }

        private static Object of(Object contexts, int i) {
            return contexts instanceof Contexts c ? c.each()[i] : null;
        }

        /** Collects one context per observer; {@code null} if none gave one. */
        private interface Start {
            Object start(RuntimeObserver o);
        }

        private Object collect(Start start) {
            Object[] each = null;
            for (int i = 0; i < all.length; i++) {
                Object c = start.start(all[i]);
                if (c != null) {
                    if (each == null) {
                        each = new Object[all.length];
                    }
                    each[i] = c;
                }
            }
            return each == null ? null : new Contexts(each);
        }

        @Override
        public void activated(ServerId id, ActivationKind kind) {
            for (RuntimeObserver o : all) o.activated(id, kind);
        }

        @Override
        public void deactivated(ServerId id) {
            for (RuntimeObserver o : all) o.deactivated(id);
        }

        @Override
        public void petrified(ServerId id, PetrifyCause cause) {
            for (RuntimeObserver o : all) o.petrified(id, cause);
        }

        @Override
        public void stopped(ServerId id, StopReason reason) {
            for (RuntimeObserver o : all) o.stopped(id, reason);
        }

        @Override
        public void crashed(ServerId id, Throwable cause) {
            for (RuntimeObserver o : all) o.crashed(id, cause);
        }

        @Override
        public void quarantined(ServerId id, String lastFailure) {
            for (RuntimeObserver o : all) o.quarantined(id, lastFailure);
        }

        @Override
        public void released(ServerId id) {
            for (RuntimeObserver o : all) o.released(id);
        }

        @Override
        public void recovered(ServerId id) {
            for (RuntimeObserver o : all) o.recovered(id);
        }

        @Override
        public Object sendStarted(ServerId to, Kind kind, Class<?> message) {
            return collect(o -> o.sendStarted(to, kind, message));
        }

        @Override
        public void sendEnded(Object context, ServerId to, Kind kind, Class<?> message, long nanos,
                              Throwable failure) {
            for (int i = 0; i < all.length; i++) {
                all[i].sendEnded(of(context, i), to, kind, message, nanos, failure);
            }
        }

        @Override
        public Object turnStarted(ServerId id, Kind kind, Class<?> message, Object origin, int waiting) {
            Object[] each = null;
            for (int i = 0; i < all.length; i++) {
                Object c = all[i].turnStarted(id, kind, message, of(origin, i), waiting);
                if (c != null) {
                    if (each == null) {
                        each = new Object[all.length];
                    }
                    each[i] = c;
                }
            }
            return each == null ? null : new Contexts(each);
        }

        @Override
        public void turnEnded(Object context, ServerId id, Kind kind, Class<?> message, long nanos,
                              TurnOutcome outcome, Throwable failure) {
            // the reverse order of turnStarted, so that scopes opened on this thread close innermost first
            for (int i = all.length - 1; i >= 0; i--) {
                all[i].turnEnded(of(context, i), id, kind, message, nanos, outcome, failure);
            }
        }

        @Override
        public Object storeStarted(ServerId id, StoreOp op) {
            return collect(o -> o.storeStarted(id, op));
        }

        @Override
        public void storeEnded(Object context, ServerId id, StoreOp op, String store, long nanos,
                               StoreOutcome outcome, int bytes, Throwable failure) {
            for (int i = all.length - 1; i >= 0; i--) {
                all[i].storeEnded(of(context, i), id, op, store, nanos, outcome, bytes, failure);
            }
        }

        @Override
        public Object scheduled(ServerId id, Kind kind) {
            return collect(o -> o.scheduled(id, kind));
        }

        @Override
        public void reminderFired(ServerId id, long latenessMillis, boolean delivered) {
            for (RuntimeObserver o : all) o.reminderFired(id, latenessMillis, delivered);
        }

        @Override
        public void inject(Object context, BiConsumer<String, String> headers) {
            for (int i = 0; i < all.length; i++) {
                Object c = of(context, i);
                if (c != null) {
                    all[i].inject(c, headers);
                }
            }
        }

        @Override
        public Object extract(Function<String, String> headers) {
            return collect(o -> o.extract(headers));
        }

        @Override
        public void batchWritten(String store, int entries, long nanos, Throwable failure) {
            for (RuntimeObserver o : all) o.batchWritten(store, entries, nanos, failure);
        }
    }
}

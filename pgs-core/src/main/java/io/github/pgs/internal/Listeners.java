package io.github.pgs.internal;

import io.github.pgs.LifecycleListener;
import io.github.pgs.ServerId;
import io.github.pgs.StopReason;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * The lifecycle listeners of one runtime, told through one path: {@link #tell}. A listener that throws is logged
 * and ignored; the others are still told.
 */
final class Listeners {

    private static final System.Logger LOG = System.getLogger("io.github.pgs");

    /** What listeners hear. Petrify and revive are never reported. */
    sealed interface Event {
        ServerId id();
    }

    /** Stopped (normal reasons reach {@code stopped}, error reasons and crashes {@code crashed}). */
    record Stopped(ServerId id, StopReason reason) implements Event {
    }

    record Quarantined(ServerId id, String lastFailure) implements Event {
    }

    record Released(ServerId id) implements Event {
    }

    private final List<LifecycleListener> listeners = new CopyOnWriteArrayList<>();

    void add(LifecycleListener l) {
        listeners.add(l);
    }

    /** Adds {@code l} for the servers {@code which} accepts; returns what removes it. */
    Runnable add(LifecycleListener l, Predicate<ServerId> which) {
        LifecycleListener filtered = new LifecycleListener() {
            @Override
            public void stopped(ServerId id, StopReason reason) {
                if (which.test(id)) {
                    l.stopped(id, reason);
                }
            }

            @Override
            public void crashed(ServerId id, StopReason reason) {
                if (which.test(id)) {
                    l.crashed(id, reason);
                }
            }

            @Override
            public void quarantined(ServerId id, String lastFailure) {
                if (which.test(id)) {
                    l.quarantined(id, lastFailure);
                }
            }

            @Override
            public void released(ServerId id) {
                if (which.test(id)) {
                    l.released(id);
                }
            }
        };
        listeners.add(filtered);
        return () -> listeners.remove(filtered);
    }

    void remove(LifecycleListener l) {
        listeners.remove(l);
    }

    void tell(Event e) {
        for (LifecycleListener l : listeners) {
            try {
                switch (e) {
                    case Stopped s when s.reason().isNormal() -> l.stopped(s.id(), s.reason());
                    case Stopped s -> l.crashed(s.id(), s.reason());
                    case Quarantined q -> l.quarantined(q.id(), q.lastFailure());
                    case Released r -> l.released(r.id());
                }
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.WARNING, "lifecycle listener threw; ignored", t);
            }
        }
    }
}

package io.github.pgs.internal;

import io.github.pgs.ServerId;
import io.github.pgs.placement.Placement;
import io.github.pgs.spi.RefResolver;
import io.github.pgs.spi.RuntimeObserver;
import io.github.pgs.spi.Scheduler;
import io.github.pgs.spi.StateCodec;
import io.github.pgs.spi.Storage;
import io.github.pgs.spi.TimeSource;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the parts of one runtime share: its seams (store, codec, clock, scheduler), the store path its activations
 * take, the restart-intensity tracker, the listeners, the call deadlines, the reminder watch and the
 * dispatcher. Built once by {@link Registry}; immutable.
 */
final class Services {

    final Registry registry;
    final String name;
    /** The store, or {@code null} for an ephemeral runtime (activations never ask: they go through {@link #path}). */
    final Storage storage;
    final StateCodec codec;
    final TimeSource time;
    final Scheduler scheduler;
    final RefResolver refs;
    final StorePath path;
    final CrashTracker crashes;
    final ActiveMarkers markers;
    /** The recorded quarantines, or {@code null} for an ephemeral runtime. */
    final Quarantines quarantines;
    /** Told of everything (already guarded); {@code null} when nobody listens, and then nothing is measured. */
    final RuntimeObserver observer;
    /** The store's label for the observer ({@link RuntimeObserver#storeLabel}); {@code "none"} when ephemeral. */
    final String storeLabel;
    final Listeners listeners = new Listeners();
    /**
     * Who asked for a petrify queued now (eviction, hand-off), for the observer; made only when one listens, so that
     * no activation carries a field for it. Absent: an operator.
     */
    private final Map<Activation<?, ?>, RuntimeObserver.PetrifyCause> askedFor;
    final SkippedRows skippedRows;
    final CallDeadlines deadlines;
    final DueWatch dueWatch;
    final Dispatcher dispatcher;
    /** The engine that places servers on nodes, or {@code null} in a single JVM. */
    final Placement placement;

    /** Notes, for the observer, that {@code cause} asked {@code a} to petrify. */
    void askedFor(Activation<?, ?> a, RuntimeObserver.PetrifyCause cause) {
        if (askedFor != null) {
            askedFor.put(a, cause);
        }
    }

    /** Who asked {@code a} to petrify (forgetting it); {@code REQUESTED} when nobody noted it. */
    RuntimeObserver.PetrifyCause takeAskedFor(Activation<?, ?> a) {
        RuntimeObserver.PetrifyCause c = askedFor == null ? null : askedFor.remove(a);
        return c != null ? c : RuntimeObserver.PetrifyCause.REQUESTED;
    }

    Services(Registry registry, String name, Storage storage, StateCodec codec, TimeSource time, Scheduler scheduler,
             RefResolver refs, DueWatch dueWatch, Placement placement, int maxActive, RuntimeObserver observer) {
        this.registry = registry;
        this.observer = observer;
        this.askedFor = observer == null ? null : new ConcurrentHashMap<>();
        this.storeLabel = storage == null ? "none" : RuntimeObserver.storeLabel(storage);
        this.name = name;
        this.storage = storage;
        this.codec = codec;
        this.time = time;
        this.scheduler = scheduler;
        this.refs = refs;
        this.crashes = new CrashTracker();
        this.skippedRows = new SkippedRows(name);
        this.deadlines = new CallDeadlines(time, scheduler);
        this.dueWatch = dueWatch;
        this.placement = placement;
        if (storage != null) {
            this.markers = new ActiveMarkers(storage);
            this.quarantines = new Quarantines(storage, placement != null);
            this.path = new DurablePath(storage, new LoadBatcher(storage, Registry.LOAD_LANES, Registry.LOAD_BATCH),
                    crashes, markers, dueWatch, quarantines, time);
        } else {
            this.markers = null;
            this.quarantines = null;
            this.path = StorePath.EPHEMERAL;
        }
        this.dispatcher = new Dispatcher(this, maxActive); // last: it may look at everything above
    }

    /** A local activation of {@code id} has left: the placement engine, if any, may forget it. */
    void departed(ServerId id) {
        if (placement != null) {
            try {
                placement.departed(id);
            } catch (RuntimeException e) {
                System.getLogger("io.github.pgs").log(System.Logger.Level.WARNING,
                        "the placement engine failed on the departure of " + id, e);
            }
        }
    }
}

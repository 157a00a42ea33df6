package io.github.pgs.internal;

import io.github.pgs.GenServerException;
import io.github.pgs.PersistenceException;
import io.github.pgs.ServerId;
import io.github.pgs.TypeOptions;
import io.github.pgs.spi.Storage;
import io.github.pgs.spi.StoredState;

/**
 * The store path of a persistent runtime: first loads go through the {@link LoadBatcher}, commits, writes and
 * wipes through the activation's {@link CommittedState}, restart intensity through the {@link CrashTracker}, and
 * remember-active markers through {@link ActiveMarkers}.
 */
final class DurablePath implements StorePath {

    private final Storage storage;
    private final LoadBatcher loads;
    private final CrashTracker crashes;
    private final ActiveMarkers markers;
    private final DueWatch dueWatch;
    private final Quarantines quarantines;
    private final io.github.pgs.spi.TimeSource time;

    DurablePath(Storage storage, LoadBatcher loads, CrashTracker crashes, ActiveMarkers markers, DueWatch dueWatch,
                Quarantines quarantines, io.github.pgs.spi.TimeSource time) {
        this.storage = storage;
        this.loads = loads;
        this.crashes = crashes;
        this.markers = markers;
        this.dueWatch = dueWatch;
        this.quarantines = quarantines;
        this.time = time;
    }

    @Override
    public StoredState load(ServerId id) {
        return quarantines.load(id, loads);
    }

    @Override
    public PersistenceException commit(CommittedState<?, ?> state, boolean persist) {
        return state.commitDurably(persist);
    }

    @Override
    public void writeIfDirty(CommittedState<?, ?> state) {
        state.writeIfDirtyDurably();
    }

    @Override
    public void writeFinal(CommittedState<?, ?> state) {
        state.writeFinalDurably();
    }

    @Override
    public void flush(CommittedState<?, ?> state) {
        state.flushDurably();
    }

    @Override
    public GenServerException wipe(CommittedState<?, ?> state) {
        return state.wipeDurably();
    }

    @Override
    public boolean pastRestartIntensity(ServerId id, TypeOptions opts, long nowNanos) {
        return crashes.record(id, opts, nowNanos);
    }

    @Override
    public boolean petrifies(TypeOptions opts) {
        return opts.petrifies();
    }

    @Override
    public long markActive(ServerId id, TypeOptions opts) {
        return opts.rememberActive() ? markers.mark(id) : -1;
    }

    @Override
    public void unmarkActive(ServerId id, long markerVersion) {
        if (markerVersion >= 0) {
            markers.unmark(id, markerVersion);
        }
    }

    @Override
    public Quarantines.Entry heldQuarantine(ServerId id) {
        return quarantines.held(id);
    }

    @Override
    public Quarantines.Entry recordedQuarantine(ServerId id) {
        return quarantines.entry(id);
    }

    @Override
    public Quarantines.Entry recordedElsewhere(ServerId id) {
        return quarantines.recordedElsewhere(id);
    }

    @Override
    public void recordQuarantine(ServerId id, String lastFailure) {
        quarantines.record(id, lastFailure, time.currentTimeMillis());
    }

    @Override
    public boolean clearQuarantine(ServerId id) {
        return quarantines.clear(id);
    }

    @Override
    public boolean knownQuarantine(ServerId id) {
        return quarantines.known(id);
    }

    @Override
    public void requireReminders() {
        if (!dueWatch.supported()) {
            throw new UnsupportedOperationException("the store " + storage.getClass().getName()
                    + " keeps no reminders (it does not declare StorageCapability.REMINDERS)");
        }
    }
}

package io.github.pgs.internal;

import io.github.pgs.GenServerException;
import io.github.pgs.PersistenceException;
import io.github.pgs.ServerId;
import io.github.pgs.TypeOptions;
import io.github.pgs.spi.StoredState;

/**
 * How the activations of one runtime reach the store: {@link DurablePath} for a persistent runtime, and
 * {@link #EPHEMERAL}, which stores nothing, for an ephemeral one. Activations never ask which they have: every
 * step that touches the store goes through here, and the ephemeral path makes it a no-op (or a refusal, for
 * durable reminders).
 */
interface StorePath {

    /**
     * The stored state to activate from ({@link StoredState#ABSENT} when there is none), or {@code null} when a
     * quarantine recorded on another node holds the server (then {@link #recordedQuarantine} has it); asked after
     * {@link #heldQuarantine}.
     *
     * @throws io.github.pgs.StorageException if the store cannot tell
     */
    StoredState load(ServerId id);

    /**
     * The quarantine recorded for {@code id} (see {@link Quarantines}) that holds it before anything is loaded, or
     * {@code null}; with a placement engine always {@code null} (then {@link #load} reads the record).
     *
     * @throws io.github.pgs.StorageException if the records cannot be read yet
     */
    Quarantines.Entry heldQuarantine(ServerId id);

    /** Commits a handler's new state as the type's write mode says; returns the failure to report, or null. */
    PersistenceException commit(CommittedState<?, ?> state, boolean persist);

    /** Writes the state if a change is pending (petrify); throws what the write threw. */
    void writeIfDirty(CommittedState<?, ?> state);

    /** Writes the final state of a stop unless its bytes are what is stored; throws what the write threw. */
    void writeFinal(CommittedState<?, ?> state);

    /** The write-behind timer fired: writes the dirty state. */
    void flush(CommittedState<?, ?> state);

    /** Wipes the stored state (a tombstone); returns the failure, or null. */
    GenServerException wipe(CommittedState<?, ?> state);

    /** Whether this crash puts the server past its restart intensity (then it is quarantined). */
    boolean pastRestartIntensity(ServerId id, TypeOptions opts, long nowNanos);

    /** Whether servers petrify when idle (then the activation keeps an idle timer). */
    boolean petrifies(TypeOptions opts);

    /** Writes the server's remember-active marker if its type asks for one; its version, or -1. */
    long markActive(ServerId id, TypeOptions opts);

    /** Drops the remember-active marker written at {@code markerVersion} (nothing if -1). */
    void unmarkActive(ServerId id, long markerVersion);

    /** The quarantine recorded for {@code id} (see {@link Quarantines}) as known here, or {@code null}. */
    Quarantines.Entry recordedQuarantine(ServerId id);

    /** With other runtimes on the store: a quarantine of {@code id} another one recorded, or {@code null}. */
    Quarantines.Entry recordedElsewhere(ServerId id);

    /** Records the crash-loop quarantine of {@code id}, so that it outlives the runtime. */
    void recordQuarantine(ServerId id, String lastFailure);

    /**
     * Deletes the record of {@code id}'s quarantine; whether there was one.
     *
     * @throws io.github.pgs.StorageException if it cannot be deleted
     */
    boolean clearQuarantine(ServerId id);

    /** Whether a recorded quarantine of {@code id} is known here (nothing is read). */
    boolean knownQuarantine(ServerId id);

    /**
     * Checks that handlers can use durable reminders here.
     *
     * @throws UnsupportedOperationException if they cannot (ephemeral runtime, store without reminders)
     */
    void requireReminders();

    /** The path of an ephemeral runtime: nothing is stored, loaded, wiped or marked; nothing petrifies. */
    StorePath EPHEMERAL = new StorePath() {
        @Override
        public StoredState load(ServerId id) {
            return StoredState.ABSENT;
        }

        @Override
        public PersistenceException commit(CommittedState<?, ?> state, boolean persist) {
            return null;
        }

        @Override
        public void writeIfDirty(CommittedState<?, ?> state) {
        }

        @Override
        public void writeFinal(CommittedState<?, ?> state) {
        }

        @Override
        public void flush(CommittedState<?, ?> state) {
        }

        @Override
        public GenServerException wipe(CommittedState<?, ?> state) {
            return null;
        }

        @Override
        public boolean pastRestartIntensity(ServerId id, TypeOptions opts, long nowNanos) {
            return false;
        }

        @Override
        public boolean petrifies(TypeOptions opts) {
            return false;
        }

        @Override
        public long markActive(ServerId id, TypeOptions opts) {
            return -1;
        }

        @Override
        public void unmarkActive(ServerId id, long markerVersion) {
        }

        @Override
        public Quarantines.Entry heldQuarantine(ServerId id) {
            return null;
        }

        @Override
        public Quarantines.Entry recordedQuarantine(ServerId id) {
            return null;
        }

        @Override
        public Quarantines.Entry recordedElsewhere(ServerId id) {
            return null;
        }

        @Override
        public void recordQuarantine(ServerId id, String lastFailure) {
        }

        @Override
        public boolean clearQuarantine(ServerId id) {
            return false;
        }

        @Override
        public boolean knownQuarantine(ServerId id) {
            return false;
        }

        @Override
        public void requireReminders() {
            throw new UnsupportedOperationException("durable reminders need a store; this runtime is ephemeral");
        }
    };
}

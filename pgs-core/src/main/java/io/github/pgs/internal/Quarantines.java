package io.github.pgs.internal;

import io.github.pgs.ServerId;
import io.github.pgs.StorageException;
import io.github.pgs.VersionConflictException;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.spi.Storage;
import io.github.pgs.spi.StoredState;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Quarantines that outlive the runtime: a server quarantined for a crash loop is recorded in the store under the
 * reserved type {@value #TYPE} (key: the server id's text form; payload: its last failure as UTF-8; the record's
 * write time is when), so that a new runtime keeps failing it fast instead of granting it a fresh restart
 * intensity. The record goes when the quarantine is lifted (release, rollback, reset, deletion).
 *
 * <h2>Algorithm</h2>
 * The runtime keeps the records in memory (the book), read once when it starts (quarantines are few), and consults
 * the book when an activation loads: a server in it is quarantined at once, before its state is loaded or a
 * handler runs, and without counting a new quarantine. An activation thus costs one lookup in a map that is almost
 * always empty: no extra read per activation (the activation throughput is a benchmark figure). A book the runtime
 * could not read when it started (the store was down) is read by the first lookup, which fails (and with it that
 * activation) while the store is still down. With a placement engine, where servers move between runtimes that
 * each read their book at their own start, an activation reads the server's record in the same query as its state
 * ({@link LoadBatcher#loadBoth}): a server quarantined on another node after this one started still fails fast
 * here, and one released there is served here, at no extra round trip.
 *
 * <h2>Hazards</h2>
 * Another runtime on the same store may record or lift a quarantine after this one read its book: with a placement
 * engine (where several runtimes share servers), every activation reads the record with the state (above), and a
 * crash checks the store for a record before counting against the restart intensity. A quarantine that cannot be
 * recorded (the store is down) holds in memory only; a release whose record cannot be deleted fails and leaves the
 * server quarantined. A state that cannot be decoded is not recorded: whether it decodes depends on the code that
 * reads it, which a deployment changes.
 */
final class Quarantines {

    private static final System.Logger LOG = System.getLogger("io.github.pgs");
    /** The reserved type of the records. */
    static final String TYPE = "pgs.quarantine";
    private static final int ATTEMPTS = 5;

    /** One recorded quarantine. */
    record Entry(String lastFailure, long sinceMillis) {
    }

    private final Storage storage;
    private final boolean shared;
    private final Map<ServerId, Entry> book = new ConcurrentHashMap<>();
    private volatile boolean read;

    /** @param shared whether other runtimes share this store's servers (a placement engine): confirm hits */
    Quarantines(Storage storage, boolean shared) {
        this.storage = storage;
        this.shared = shared;
    }

    /** Reads the records into the book; a failure leaves it unread (the next lookup tries again). */
    void readBook() {
        try {
            ensureRead();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "quarantine records could not be read yet (" + e.getMessage()
                    + "); the first activation tries again");
        }
    }

    private synchronized void ensureRead() {
        if (read) {
            return;
        }
        Map<ServerId, Entry> found = new ConcurrentHashMap<>();
        Listing.eachPage(storage, TYPE, Listing.PAGE, page -> {
            for (Map.Entry<ServerId, StoredState> e : Expiry.load(storage, TYPE, page.keys(), row -> { })) {
                ServerId id = parse(e.getKey().key());
                if (id != null && e.getValue().hasPayload()) {
                    found.put(id, entry(e.getValue()));
                }
            }
        });
        book.putAll(found);
        read = true;
    }

    /**
     * The recorded quarantine that holds {@code id} before its state is loaded, from the book; {@code null} with
     * other runtimes on the store, where {@link #load} reads the record with the state instead.
     *
     * @throws StorageException if the records cannot be read yet
     */
    Entry held(ServerId id) {
        if (!read) {
            ensureRead();
        }
        return shared ? null : book.get(id);
    }

    /**
     * Loads {@code id}'s state for an activation. Alone on the store: the state ({@link #held} was asked before).
     * With other runtimes on the store: the record is read in the same query as the state, as another runtime may
     * have recorded or lifted it since; {@code null} when it holds the server (then {@link #entry} has it).
     */
    StoredState load(ServerId id, LoadBatcher loads) {
        if (!shared) {
            return loads.load(id);
        }
        StoredState[] both = loads.loadBoth(id, recordId(id));
        if (both[1].hasPayload()) {
            book.put(id, entry(both[1]));
            return null;
        }
        book.remove(id); // lifted elsewhere, if it was in the book
        return both[0];
    }

    /** The recorded quarantine of {@code id} in the book, or {@code null} (nothing is read). */
    Entry entry(ServerId id) {
        return book.get(id);
    }

    /** Whether {@code id} is in the book (without reading the store). */
    boolean known(ServerId id) {
        return book.containsKey(id);
    }

    /** With other runtimes on the store: the record another one wrote, read from the store; else {@code null}. */
    Entry recordedElsewhere(ServerId id) {
        if (!shared) {
            return null;
        }
        try {
            StoredState s = storage.load(recordId(id));
            return s.hasPayload() ? entry(s) : null;
        } catch (RuntimeException unknown) {
            return null;
        }
    }

    /** Records the quarantine of {@code id}; a failure is logged (the quarantine then holds in memory only). */
    void record(ServerId id, String lastFailure, long nowMillis) {
        ServerId record = recordId(id);
        byte[] payload = lastFailure.getBytes(StandardCharsets.UTF_8);
        for (int attempt = 1; ; attempt++) {
            try {
                long v = storage.load(record).version();
                storage.save(new StateWrite(record, v, payload, 1));
                book.put(id, new Entry(lastFailure, nowMillis));
                return;
            } catch (VersionConflictException e) {
                if (attempt < ATTEMPTS) {
                    continue;
                }
                LOG.log(System.Logger.Level.WARNING, "could not record the quarantine of " + id + ": "
                        + e.getMessage());
                return;
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "could not record the quarantine of " + id
                        + "; it holds in this runtime only: " + e.getMessage());
                return;
            }
        }
    }

    /**
     * Deletes the record of {@code id}; returns whether there was one.
     *
     * @throws StorageException if the record cannot be deleted (the quarantine then stays)
     */
    boolean clear(ServerId id) {
        boolean deleted = clearRecord(storage, id);
        return book.remove(id) != null | deleted;
    }

    /**
     * Deletes the record of {@code id}'s quarantine from {@code storage}, if there is one (a bare store's
     * deletion of the server's state takes its quarantine with it); returns whether there was one.
     *
     * @throws StorageException if it cannot be deleted
     */
    static boolean clearRecord(Storage storage, ServerId id) {
        ServerId record = recordId(id);
        for (int attempt = 1; ; attempt++) {
            StoredState s = storage.load(record);
            if (!s.hasPayload()) {
                return false;
            }
            try {
                storage.delete(record, s.version());
                return true;
            } catch (VersionConflictException e) {
                if (attempt >= ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /** The recorded quarantine of {@code id} in {@code storage}, read directly; {@code null} if none. */
    static Entry read(Storage storage, ServerId id) {
        StoredState s = storage.load(recordId(id));
        return s.hasPayload() ? entry(s) : null;
    }

    static ServerId recordId(ServerId id) {
        return new ServerId(TYPE, id.toString());
    }

    static Entry entry(StoredState s) {
        return new Entry(new String(s.payload(), StandardCharsets.UTF_8), s.updatedAtMillis());
    }

    private static ServerId parse(String key) {
        try {
            return ServerId.parse(key);
        } catch (RuntimeException malformed) {
            return null; // not a record this runtime could have written: skipped
        }
    }

    /** The ids in the book (for tests and views). */
    List<ServerId> ids() {
        return List.copyOf(book.keySet());
    }
}

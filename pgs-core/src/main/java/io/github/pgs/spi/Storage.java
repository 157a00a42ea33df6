package io.github.pgs.spi;

import io.github.pgs.ServerId;
import io.github.pgs.StorageException;
import io.github.pgs.VersionConflictException;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The storage SPI: versioned bytes per server. Synchronous by design (servers run on virtual threads, where
 * blocking is cheap); implementations are free to coalesce concurrent calls (group commit) as long as every
 * call gets its own outcome.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #save} succeeds only if the stored version equals {@link StateWrite#expectedVersion()}; it then
 *       stores version {@code expected + 1} durably (as durable as the store promises) before returning.
 *       Otherwise it throws {@link VersionConflictException} with the expected and the exact stored version,
 *       and changes nothing.</li>
 *   <li>{@link #delete} writes a tombstone at version {@code expected + 1} under the same check; a tombstone
 *       keeps its version, so no writer holding an older version can ever write again.</li>
 *   <li>Keys and type names are opaque: any string (quotes, {@code %}, NUL, non-BMP characters) is stored and
 *       listed exactly, and is never concatenated into a query or script.</li>
 *   <li>Records: a live state keeps its schema version; a tombstone has schema version 0; every written record
 *       (live or tombstone) has {@code updatedAtMillis > 0}, the store's wall clock at the write; a never-saved
 *       key loads as {@link StoredState#ABSENT}.</li>
 *   <li>{@link #list} pages read exactly {@code min(limit, live rows remaining)} rows; {@code next} is the
 *       position of the last row read (its stored key bytes), and {@code null} exactly when no live row follows.
 *       A cursor made with {@link KeyCursor#after} need not be a stored key; the empty string is a valid key.</li>
 *   <li>Scans isolate rows: a row that cannot be turned into a result (a key that is not valid UTF-8, a type
 *       name no server can have, an impossible due time) is skipped and reported in the page's {@code skipped},
 *       never decoded lossily and never fatal to the scan; the cursor moves past it. Loading one server whose
 *       record holds impossible values fails for that server alone, with
 *       {@link io.github.pgs.CorruptRecordException}.</li>
 *   <li>A store declares what it keeps beyond versioned state in {@link #capabilities()}: state history and
 *       durable reminders are optional, and calling {@link #history} or {@link #due} on a store that does not
 *       declare them throws {@link UnsupportedOperationException}.</li>
 *   <li>After {@link #close()}, every method throws {@link StorageException}.</li>
 *   <li>All methods are thread-safe.</li>
 * </ul>
 * Failures other than version conflicts are thrown as {@link StorageException}; whether such a write took
 * effect may be unknown to the caller (the runtime then reloads before writing again).
 *
 * <p>Every implementation must pass the storage conformance suite in {@code pgs-testkit}. The package
 * {@code io.github.pgs.store.support} holds what every store needs besides its queries: group commit, the argument
 * checks, limit + 1 paging, the history walk, the closed-store gate and row normalisation.
 */
public interface Storage extends AutoCloseable {

    /**
     * What this store keeps beyond versioned state. The default is none: a store that keeps history or reminders
     * says so here, and the runtime and the conformance suite rely on the answer. It must not change while the
     * store is open.
     */
    default Set<StorageCapability> capabilities() {
        return Set.of();
    }

    /** The stored state of {@code id}; {@link StoredState#ABSENT} if never saved. Never {@code null}. */
    StoredState load(ServerId id);

    /**
     * Loads many servers at once. The default loads one by one; stores override it with one query. The result
     * has an entry for every requested id.
     */
    default Map<ServerId, StoredState> loadAll(Collection<ServerId> ids) {
        Map<ServerId, StoredState> out = new LinkedHashMap<>();
        for (ServerId id : ids) {
            out.put(id, load(id));
        }
        return out;
    }

    /**
     * Writes {@code write} if the stored version is its expected version.
     *
     * @return the new version ({@code expectedVersion + 1})
     * @throws VersionConflictException if the stored version differs
     * @throws StorageException         on any other failure
     */
    long save(StateWrite write);

    /**
     * Replaces the state of {@code id} by a tombstone at version {@code expectedVersion + 1}.
     *
     * @return the tombstone's version
     * @throws VersionConflictException if the stored version differs
     */
    long delete(ServerId id, long expectedVersion);

    /**
     * The states that writes with {@link StateWrite#historyDepth()} {@code > 0} kept for {@code id}, most recent
     * first (each with the version, payload, schema version and write time it had). A write with depth 0 and a
     * delete drop the history. Empty if none is kept.
     *
     * @throws UnsupportedOperationException if this store keeps no history ({@link StorageCapability#HISTORY} is
     *                                       not among its {@link #capabilities()}; writes with a depth fail too)
     */
    default List<StoredState> history(ServerId id) {
        throw new UnsupportedOperationException(getClass().getName() + " keeps no state history");
    }

    /**
     * Servers whose reminder set is due: live states written with {@link StateWrite#remindAtMillis()}
     * {@code <= notAfterMillis}, in ascending {@code remindAtMillis}; servers due at the same instant in a
     * stable order of the store's choosing. Starts strictly after {@code after} ({@code null} for the first due
     * server; {@link DueCursor#startingAt} for the first due at or after an instant) and reads at most
     * {@code limit} rows: the page's servers plus the rows it skipped. The page's {@code next} is {@code null}
     * exactly when nothing more is due. Uses an index: the cost is proportional to the page, not to the number of
     * stored servers or reminders. Tombstones and writes without reminders are never due.
     *
     * @param limit at most this many rows (&ge; 1)
     * @throws IllegalArgumentException      if {@code limit} &lt; 1, or {@code after} is not a cursor of this
     *                                       store
     * @throws UnsupportedOperationException if this store keeps no reminders ({@link StorageCapability#REMINDERS}
     *                                       is not among its {@link #capabilities()}; writes with reminders fail
     *                                       too)
     */
    default DuePage due(long notAfterMillis, DueCursor after, int limit) {
        throw new UnsupportedOperationException(getClass().getName() + " keeps no reminders");
    }

    /**
     * Lists keys of {@code type} that hold a live state (not tombstones), ascending by the keys' UTF-8 bytes,
     * starting after {@code after} ({@code null} for the first page). A type name no server can have lists
     * nothing.
     *
     * @param limit at most this many rows (&ge; 1): the keys listed plus the rows skipped
     * @throws IllegalArgumentException if {@code limit} &lt; 1
     */
    KeyPage list(String type, KeyCursor after, int limit);

    /**
     * Reports what this store does below the runtime (the batches of its group commit) to {@code observer} from
     * now on; {@code null} stops reporting. A runtime with an observer calls this once when it is built. The
     * default reports nothing (a store without batches has nothing to add to what the runtime observes itself).
     * Stores built on {@link io.github.pgs.store.support.GroupCommit} pass it on with
     * {@link io.github.pgs.store.support.GroupCommit#observe}, naming the group commit like
     * {@link RuntimeObserver#storeLabel} names the store.
     */
    default void observe(StoreObserver observer) {
    }

    /** Releases resources. Idempotent. */
    @Override
    void close();
}

package io.github.pgs.admin;

import io.github.pgs.CallTimeoutException;
import io.github.pgs.CodecException;
import io.github.pgs.ServerId;
import io.github.pgs.ServerRuntime;
import io.github.pgs.StorageException;
import io.github.pgs.VersionConflictException;
import io.github.pgs.internal.StoreTools;
import io.github.pgs.spi.KeyCursor;
import io.github.pgs.spi.KeyPage;
import io.github.pgs.spi.StateCodec;
import io.github.pgs.spi.Storage;
import io.github.pgs.spi.StorageCapability;
import io.github.pgs.spi.StoredState;
import io.github.pgs.spi.TimeSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Operator access to persisted servers of any type: list them page by page, count them, inspect one (metadata
 * and the state rendered as JSON or hex, without its class), delete one, and expire those whose state has not
 * been written for a given time.
 *
 * <pre>{@code
 * Admin admin = Admin.of(runtime);
 * ServerPage page = admin.list("player", null, 50);
 * ServerInfo vorpal = admin.inspect(ServerId.parse("player:Vorpal"));
 * admin.delete(vorpal.id(), vorpal.version());          // only if nobody wrote it since
 * ExpireReport r = admin.expire("player", Duration.ofDays(90), true);   // dry run: what would go
 * }</pre>
 *
 * <h2>With a runtime or without</h2>
 * {@link #of(ServerRuntime)} sees servers through that runtime: entries carry {@link ServerStatus#ACTIVE},
 * {@link ServerStatus#PETRIFIED} or {@link ServerStatus#QUARANTINED}, a server active in the runtime is
 * petrified before its state is deleted (so it cannot go on serving, or write back, the deleted state), a
 * quarantine is lifted with the deletion, and {@link #expire} leaves active servers alone.
 * {@link #of(Storage, StateCodec)} works on a bare store (the {@code pgs} command-line tool) and reports
 * {@link ServerStatus#STORED}; a server active in some runtime on that store is not stopped, but the version
 * fence still keeps it from writing the deleted state back: its next write fails and its next activation starts
 * fresh.
 *
 * <h2>Time</h2>
 * "Not written for" is judged by {@link StoredState#updatedAtMillis()}, which the store stamps with its own clock
 * at each write (a read-only call writes nothing, so it does not count as a touch), against the admin's clock,
 * {@link TimeSource#SYSTEM} unless {@link #withClock} says otherwise. Keep the two clocks close; an expiry
 * horizon of days makes small skews harmless.
 *
 * <h2>Failures</h2>
 * Store failures are thrown as {@link StorageException}, lost compare-and-sets as
 * {@link VersionConflictException}, missing state as {@link NotStoredException}, a partly done expiry as
 * {@link ExpireFailedException}. Messages name servers and types, never credentials or state contents.
 *
 * <p>Immutable and thread-safe. Listing, counting and expiring read the store in pages and are not snapshots:
 * servers written or deleted meanwhile may or may not be seen.
 */
public final class Admin {

    /** The largest page {@link #list} returns: 10,000 entries. */
    public static final int MAX_PAGE_SIZE = 10_000;
    /** How long a delete waits for an active server to petrify: 30 seconds. */
    public static final Duration PETRIFY_TIMEOUT = Duration.ofSeconds(30);

    /** Keys per page when counting and expiring. */
    private static final int SCAN_PAGE = 500;
    /** Attempts of an unconditional delete that keeps losing the compare-and-set to concurrent writers. */
    private static final int DELETE_ATTEMPTS = 5;

    private final Storage storage;
    private final StateCodec codec;
    private final ServerRuntime runtime;
    private final TimeSource clock;
    private final StateText stateText;

    private Admin(Storage storage, StateCodec codec, ServerRuntime runtime, TimeSource clock, StateText stateText) {
        this.storage = storage;
        this.codec = codec;
        this.runtime = runtime;
        this.clock = clock;
        this.stateText = stateText;
    }

    /**
     * An admin seeing servers through {@code runtime}: its store, its codec and which servers it holds active or
     * quarantined.
     *
     * @throws IllegalArgumentException if the runtime is ephemeral (it stores nothing)
     */
    public static Admin of(ServerRuntime runtime) {
        Objects.requireNonNull(runtime, "runtime");
        if (!runtime.isPersistent()) {
            throw new IllegalArgumentException("runtime '" + runtime.name() + "' is ephemeral: nothing is stored");
        }
        return new Admin(runtime.storage(), runtime.codec(), runtime, TimeSource.SYSTEM, StateText.DEFAULTS);
    }

    /**
     * An admin on a bare store; {@code codec} is the one the states were written with (only whether it writes
     * text matters: states are rendered, never decoded). Statuses are {@link ServerStatus#STORED}.
     */
    public static Admin of(Storage storage, StateCodec codec) {
        return new Admin(Objects.requireNonNull(storage, "storage"), Objects.requireNonNull(codec, "codec"), null,
                TimeSource.SYSTEM, StateText.DEFAULTS);
    }

    /** This admin with {@code clock} as "now" for {@link #expire} (only its wall-clock millis are read). */
    public Admin withClock(TimeSource clock) {
        return new Admin(storage, codec, runtime, Objects.requireNonNull(clock, "clock"), stateText);
    }

    /**
     * This admin with {@code stateText} rendering the states {@link #inspect} shows (default
     * {@link StateText#DEFAULTS}: indented to depth {@value StateText#DEFAULT_INDENT_DEPTH}, at most
     * {@value StateText#DEFAULT_MAX_CHARS} characters).
     */
    public Admin withStateText(StateText stateText) {
        return new Admin(storage, codec, runtime, clock, Objects.requireNonNull(stateText, "stateText"));
    }

    /** How {@link #inspect} renders states. */
    public StateText stateText() {
        return stateText;
    }

    /** The clock {@link #expire} reads. */
    public TimeSource clock() {
        return clock;
    }

    /** The store this admin works on. */
    public Storage storage() {
        return storage;
    }

    /** The runtime this admin sees servers through, or {@code null} for a bare store. */
    public ServerRuntime runtime() {
        return runtime;
    }

    // ---------------------------------------------------------------- reading

    /**
     * One page of the servers of {@code type} that hold a live state, in ascending order of their keys' UTF-8
     * bytes, starting after {@code after} ({@code null} for the first page; {@link KeyCursor#after} or
     * {@link KeyCursor#parse} to start after a given key). Continue with {@link ServerPage#next()}. Rows that
     * cannot be read (a key that is not valid UTF-8, a corrupt record) are left out, listed in
     * {@link ServerPage#skipped()} and logged as a warning; the page goes on past them.
     *
     * @param limit at most this many rows, 1 to {@link #MAX_PAGE_SIZE}
     * @throws IllegalArgumentException if {@code type} is not a valid type name or {@code limit} is out of range
     * @throws StorageException         if the store fails
     */
    public ServerPage list(String type, KeyCursor after, int limit) {
        checkType(type);
        if (limit < 1 || limit > MAX_PAGE_SIZE) {
            throw new IllegalArgumentException("limit must be 1 to " + MAX_PAGE_SIZE + ": " + limit);
        }
        KeyPage page = storage.list(type, after, limit);
        UnreadableRows unreadable = new UnreadableRows("list", type, limit);
        unreadable.addAll(page.skipped());
        List<Map.Entry<ServerId, StoredState>> loaded = StoreTools.loadPage(storage, type, page.keys(),
                unreadable::add);
        Map<ServerId, StoreTools.Recorded> quarantined = runtime != null ? Map.of()
                : StoreTools.recordedQuarantines(storage, loaded.stream().map(Map.Entry::getKey).toList());
        List<ServerEntry> entries = new ArrayList<>(page.keys().size());
        for (Map.Entry<ServerId, StoredState> e : loaded) {
            StoredState s = e.getValue();
            if (s.hasPayload()) {
                ServerStatus status = runtime != null ? status(e.getKey())
                        : quarantined.containsKey(e.getKey()) ? ServerStatus.QUARANTINED : ServerStatus.STORED;
                entries.add(entry(e.getKey(), s, status));
            }
        }
        unreadable.log();
        return new ServerPage(entries, page.next(), unreadable.rows());
    }

    /**
     * The number of servers of {@code type} holding a live state. Pages through the keys (no state is loaded),
     * so it takes time proportional to that number. Rows whose key cannot be read are not counted; see
     * {@link #countReport}.
     *
     * @throws StorageException if the store fails
     */
    public long count(String type) {
        return countReport(type).servers();
    }

    /**
     * {@link #count} with the number of rows skipped because they cannot be read (each logged once as a warning,
     * the first few of them in full).
     *
     * @throws StorageException if the store fails
     */
    public CountReport countReport(String type) {
        checkType(type);
        UnreadableRows unreadable = new UnreadableRows("count", type, 0);
        long[] n = {0};
        StoreTools.eachPage(storage, type, SCAN_PAGE, page -> {
            n[0] += page.keys().size();
            unreadable.addAll(page.skipped());
        });
        unreadable.log();
        return new CountReport(type, n[0], unreadable.count());
    }

    /**
     * The stored state of {@code id} with its metadata, the state rendered as text by this admin's
     * {@link StateText} (bounded: see {@link #withStateText}), the older versions the store keeps and its durable
     * reminders. This is what the store holds: an active write-behind or on-petrify server may hold newer state in
     * memory.
     *
     * @throws NotStoredException if there is no live state (never written, or deleted)
     * @throws CodecException     if the stored reminders are corrupt
     * @throws StorageException   if the store fails
     */
    public ServerInfo inspect(ServerId id) {
        Objects.requireNonNull(id, "id");
        StoredState s = storage.load(id);
        if (!s.hasPayload()) {
            throw new NotStoredException(id, s.version());
        }
        byte[] payload = s.payload();
        StateText.Rendered state = stateText.render(payload, codec.isText());
        boolean historySupported = storage.capabilities().contains(StorageCapability.HISTORY);
        return new ServerInfo(id, status(id), s.version(), s.schemaVersion(), Instant.ofEpochMilli(s.updatedAtMillis()),
                payload.length, codec.name(), state.format(), state.text(), state.truncated(), historySupported,
                historySupported ? Inspection.history(storage, id) : List.of(), Inspection.reminders(id, s));
    }

    /**
     * One version of {@code id} rendered the way {@link #inspect} renders the current one: the current stored
     * version, or an older one the store keeps as history. For comparing versions before a rollback.
     *
     * @throws NotStoredException            if there is no live state
     * @throws IllegalArgumentException      if {@code version} is neither the current one nor a kept one
     * @throws UnsupportedOperationException if an older version is asked of a store that keeps no history
     * @throws StorageException              if the store fails
     */
    public StoredVersionState inspectVersion(ServerId id, long version) {
        Objects.requireNonNull(id, "id");
        StoredState s = storage.load(id);
        if (!s.hasPayload()) {
            throw new NotStoredException(id, s.version());
        }
        StoredState found = Inspection.version(storage, id, s, version);
        StateText.Rendered r = stateText.render(found.payload(), codec.isText());
        return new StoredVersionState(id, found.version(), found.schemaVersion(),
                Instant.ofEpochMilli(found.updatedAtMillis()), found.payload().length, r.format(), r.text(),
                r.truncated());
    }

    /** The status of {@code id} as this admin sees it (whether or not it has stored state). */
    public ServerStatus status(ServerId id) {
        Objects.requireNonNull(id, "id");
        if (runtime == null) {
            return StoreTools.recordedQuarantine(storage, id) != null ? ServerStatus.QUARANTINED : ServerStatus.STORED;
        }
        if (runtime.isQuarantined(id)) {
            return ServerStatus.QUARANTINED;
        }
        return runtime.isActive(id) ? ServerStatus.ACTIVE : ServerStatus.PETRIFIED;
    }

    // ---------------------------------------------------------------- quarantines

    /**
     * The quarantine of {@code id}: the last failure and when it was recorded, as the store holds it (quarantines
     * for crash loops are recorded, so they outlive the runtime that made them), or as the admin's runtime holds it.
     *
     * @throws StorageException if the store fails
     */
    public Optional<QuarantineEntry> quarantine(ServerId id) {
        Objects.requireNonNull(id, "id");
        StoreTools.Recorded r = StoreTools.recordedQuarantine(storage, id);
        if (r != null) {
            return Optional.of(new QuarantineEntry(id, r.lastFailure(), Instant.ofEpochMilli(r.sinceMillis())));
        }
        return Optional.empty();
    }

    /**
     * One page of the recorded quarantines of {@code type}, in key order, starting after {@code after} ({@code null}
     * for the first page; continue with {@link QuarantinePage#next()}). Quarantines are few: a page reads at most
     * {@code limit} records of every type and keeps those of {@code type}, so it may hold fewer than {@code limit}
     * entries while more follow.
     *
     * @throws IllegalArgumentException if {@code type} is not a valid type name or {@code limit} is out of range
     * @throws StorageException         if the store fails
     */
    public QuarantinePage quarantined(String type, KeyCursor after, int limit) {
        checkType(type);
        if (limit < 1 || limit > MAX_PAGE_SIZE) {
            throw new IllegalArgumentException("limit must be 1 to " + MAX_PAGE_SIZE + ": " + limit);
        }
        return QuarantineListing.page(storage, type, after, limit);
    }

    /**
     * Lifts the quarantine of {@code id}: through the admin's runtime as {@link ServerRuntime#release} does (in
     * memory and in the store), on a bare store by deleting its record (a runtime that runs it already keeps it
     * quarantined in memory until released there or restarted).
     *
     * @return whether it was quarantined
     * @throws StorageException if the store fails
     */
    public boolean release(ServerId id) {
        Objects.requireNonNull(id, "id");
        return runtime != null ? runtime.release(id) : StoreTools.clearRecordedQuarantine(storage, id);
    }

    // ---------------------------------------------------------------- deleting

    /**
     * Deletes the stored state of {@code id}, whatever its version: a version-checked tombstone, so no writer
     * holding an older version can write it back. A server active or quarantined in the admin's runtime is
     * stopped the way {@link ServerRuntime#reset} does it: petrified first (an active write-behind server
     * writes what it holds, which is then deleted too), then deleted, and its quarantine lifted. Its ref stays
     * valid; the next message starts it fresh via {@code init}. A write that lands between the check and the
     * deletion makes it try again with the new version, a few times.
     *
     * @throws NotStoredException       if there is no live state to delete
     * @throws VersionConflictException if concurrent writers kept winning
     * @throws CallTimeoutException     if an active server did not petrify within the runtime's shutdown timeout
     * @throws StorageException         if the store fails
     */
    public Deletion delete(ServerId id) {
        Objects.requireNonNull(id, "id");
        VersionConflictException lost = null;
        for (int attempt = 0; attempt < DELETE_ATTEMPTS; attempt++) {
            StoredState before = storage.load(id);
            if (runtime != null && (runtime.isActive(id) || runtime.isQuarantined(id))) {
                try {
                    runtime.reset(id);
                } catch (VersionConflictException e) {
                    lost = e;
                    continue;
                }
                StoredState after = storage.load(id);
                // a tombstone over a tombstone (nothing live before, nothing written by the petrify) deleted nothing
                if (after.isTombstone() && (before.hasPayload() || after.version() >= before.version() + 2)) {
                    return new Deletion(id, after.version());
                }
                throw new NotStoredException(id, after.version());
            }
            if (!before.hasPayload()) {
                throw new NotStoredException(id, before.version());
            }
            try {
                return tombstone(id, before.version());
            } catch (VersionConflictException e) {
                lost = e;
            }
        }
        throw lost;
    }

    /**
     * Deletes the stored state of {@code id} only if its version is still {@code expectedVersion} (the one an
     * operator inspected). A server active in the admin's runtime is petrified first; if that writes a newer
     * version, the deletion is refused. A quarantine is lifted.
     *
     * @throws VersionConflictException if the stored version is another one; nothing is deleted
     * @throws NotStoredException       if the state at {@code expectedVersion} is already a tombstone
     * @throws CallTimeoutException     if an active server did not petrify within {@link #PETRIFY_TIMEOUT}
     * @throws StorageException         if the store fails
     */
    public Deletion delete(ServerId id, long expectedVersion) {
        Objects.requireNonNull(id, "id");
        if (expectedVersion < 1) {
            throw new IllegalArgumentException("expectedVersion must be >= 1: " + expectedVersion);
        }
        if (runtime != null) {
            runtime.petrifyAndWait(id, PETRIFY_TIMEOUT);
        }
        StoredState s = storage.load(id);
        if (s.version() != expectedVersion) {
            throw new VersionConflictException(id, expectedVersion, s.version());
        }
        if (!s.hasPayload()) {
            throw new NotStoredException(id, s.version());
        }
        return tombstone(id, expectedVersion);
    }

    /** Writes the tombstone; the runtime's quarantine is lifted, a server that became active meanwhile petrifies. */
    private Deletion tombstone(ServerId id, long version) {
        return new Deletion(id, StoreTools.tombstone(storage, view(), id, version));
    }

    /** Which servers the admin's runtime holds, as the expiry and deletion see it. */
    private StoreTools.ServerView view() {
        if (runtime == null) {
            return StoreTools.ServerView.NONE;
        }
        return new StoreTools.ServerView(runtime::isActive, runtime::isQuarantined, runtime::release, runtime::petrify);
    }

    // ---------------------------------------------------------------- repairing

    /**
     * Rolls {@code id} back to the state it had {@code stepsBack} kept versions ago (1 = the previous one), written
     * as a new version with the server's reminders left as they are. Through a runtime that has the type
     * registered this is {@link ServerRuntime#rollback} (an active server is petrified first, a quarantine is
     * lifted). On a bare store, or for a type the runtime does not know, the write is version-checked against the
     * version read just before, so a server some runtime writes meanwhile makes it fail rather than be
     * overwritten; the store then keeps one more history entry than before (the replaced state), which the
     * type's next ordinary write prunes back to its own depth.
     *
     * @return the new version
     * @throws NotStoredException               if there is no live state
     * @throws IllegalArgumentException         if {@code stepsBack} is below 1 or more than the versions kept
     * @throws VersionConflictException         if the state was written between the read and the rollback
     * @throws UnsupportedOperationException    if the store keeps no history
     * @throws StorageException                 if the store fails
     */
    public long rollback(ServerId id, int stepsBack) {
        Objects.requireNonNull(id, "id");
        if (stepsBack < 1) {
            throw new IllegalArgumentException("stepsBack must be >= 1: " + stepsBack);
        }
        if (runtime != null && runtime.types().stream().anyMatch(t -> t.name().equals(id.type()))) {
            return runtime.rollback(id, stepsBack);
        }
        StoredState current = storage.load(id);
        if (!current.hasPayload()) {
            throw new NotStoredException(id, current.version());
        }
        return StoreTools.rollBack(storage, id, stepsBack);
    }

    // ---------------------------------------------------------------- expiring

    /**
     * Deletes (or with {@code dryRun} only lists) every state of {@code type} not written for
     * {@code notTouchedFor}: those whose {@link StoredState#updatedAtMillis()} is at or before
     * {@code now - notTouchedFor} by the admin's clock. Pages through the type's keys, loading each page's records
     * at once. Each deletion is version-checked against the version judged old, so a state written meanwhile is
     * skipped, not deleted. Servers active in the admin's runtime are skipped (they are in use even if their
     * state has not changed); quarantined ones are deleted and released.
     *
     * <p>Refs to expired servers stay valid: the next message starts a fresh server via {@code init}.
     *
     * @param notTouchedFor a positive duration
     * @param dryRun        delete nothing, report what would be deleted
     * @throws ExpireFailedException if the store failed part-way (it lists what was deleted before)
     */
    public ExpireReport expire(String type, Duration notTouchedFor, boolean dryRun) {
        checkType(type);
        Objects.requireNonNull(notTouchedFor, "notTouchedFor");
        if (notTouchedFor.isNegative() || notTouchedFor.isZero()) {
            throw new IllegalArgumentException("notTouchedFor must be positive: " + notTouchedFor);
        }
        long cutoff = StoreTools.saturatedMinus(clock.currentTimeMillis(), notTouchedFor);
        UnreadableRows unreadable = new UnreadableRows("expire", type, 0);
        Map<ServerId, ServerEntry> judged = new HashMap<>(); // as each old state was before its judgement
        StoreTools.Sweep sweep = new StoreTools.Sweep(unreadable::add, (id, s) -> judged.put(id, entry(id, s)));
        try {
            StoreTools.expire(storage, type, cutoff, dryRun, view(), sweep);
        } catch (RuntimeException e) {
            throw new ExpireFailedException(type, sweep.deleted(), e);
        } finally {
            unreadable.log();
        }
        List<ServerEntry> expired = new ArrayList<>(sweep.expired().size());
        for (Map.Entry<ServerId, StoredState> e : sweep.expired()) {
            expired.add(judged.get(e.getKey()));
        }
        return new ExpireReport(type, Instant.ofEpochMilli(cutoff), dryRun, sweep.examined(), expired,
                sweep.skippedActive(), sweep.skippedChanged(), unreadable.count());
    }

    // ---------------------------------------------------------------- helpers

    private ServerEntry entry(ServerId id, StoredState s) {
        return entry(id, s, status(id));
    }

    private static ServerEntry entry(ServerId id, StoredState s, ServerStatus status) {
        return new ServerEntry(id, s.version(), s.schemaVersion(), Instant.ofEpochMilli(s.updatedAtMillis()),
                s.payload().length, status);
    }

    private static void checkType(String type) {
        if (!ServerId.isValidTypeName(type)) {
            throw new IllegalArgumentException("type name must match [A-Za-z0-9_.$-]{1,200}: '" + type + "'");
        }
    }
}

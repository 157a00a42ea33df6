package io.github.pgs.internal;

import io.github.pgs.CorruptRecordException;
import io.github.pgs.ServerId;
import io.github.pgs.VersionConflictException;
import io.github.pgs.spi.KeyCursor;
import io.github.pgs.spi.SkippedRow;
import io.github.pgs.spi.Storage;
import io.github.pgs.spi.StoredState;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Expiry of states not written for a while (the admin's {@code expire}, the TTL sweeps): a scan of one type's
 * keys page by page, each page's records loaded at once, and one judgement per old state. The judgement is the
 * same wherever it runs ({@link #expireOne}): a server active here is skipped (it is in use even if its state
 * has not changed); otherwise a version-checked tombstone is written against the version judged old, so a state
 * written meanwhile survives; a quarantine is lifted, and a server that became active between the check and the
 * tombstone is asked to petrify (it finds the tombstone if it writes, and starts fresh next time).
 */
final class Expiry {

    /** Keys per page. */
    static final int PAGE = 500;

    private Expiry() {
    }

    /** What became of one old state. */
    enum Verdict { EXPIRED, SKIPPED_ACTIVE, SKIPPED_CHANGED }

    /** Judges one old state at {@code version}: expires it (or, in a dry run, says it would) or skips it. */
    @FunctionalInterface
    interface Judge {
        Verdict judge(ServerId id, long version, boolean dryRun);
    }

    /** The one judgement, against whatever runtime {@code view} shows (none for a bare store). */
    static Verdict expireOne(Storage storage, StoreTools.ServerView view, ServerId id, long version, boolean dryRun) {
        if (view.isActive(id)) {
            return Verdict.SKIPPED_ACTIVE;
        }
        if (dryRun) {
            return Verdict.EXPIRED;
        }
        try {
            tombstone(storage, view, id, version);
        } catch (VersionConflictException changed) {
            return Verdict.SKIPPED_CHANGED;
        }
        return Verdict.EXPIRED;
    }

    /**
     * Writes a tombstone over {@code version}, then deals with the runtime: a quarantine is lifted (and its record
     * deleted); a server that became active meanwhile holds the deleted state in memory, so it is asked to petrify.
     * Returns the tombstone's version.
     *
     * @throws VersionConflictException if the stored version is another one (nothing is deleted)
     */
    static long tombstone(Storage storage, StoreTools.ServerView view, ServerId id, long version) {
        long v = storage.delete(id, version);
        if (view.isQuarantined(id)) {
            view.release(id);
        } else {
            Quarantines.clearRecord(storage, id); // a bare store, or a record another runtime wrote
            if (view.isActive(id)) {
                view.petrify(id);
            }
        }
        return v;
    }

    /**
     * Scans {@code type} and judges every live state last written at or before {@code cutoffMillis}, filling
     * {@code into} as it goes (so that a store failure part-way leaves what was done in it). Rows the store could
     * not read, and records that fail to load as corrupt, are handed to {@code into}'s unreadable-row consumer.
     */
    static void scan(Storage storage, String type, long cutoffMillis, boolean dryRun, Judge judge,
                     StoreTools.Sweep into) {
        Listing.eachPage(storage, type, PAGE, page -> {
            page.skipped().forEach(into.unreadable);
            for (Map.Entry<ServerId, StoredState> e : load(storage, type, page.keys(), into.unreadable)) {
                StoredState s = e.getValue();
                if (!s.hasPayload()) {
                    continue;
                }
                into.examined++;
                if (s.updatedAtMillis() > cutoffMillis) {
                    continue;
                }
                into.old.accept(e.getKey(), s);
                switch (judge.judge(e.getKey(), s.version(), dryRun)) {
                    case EXPIRED -> {
                        into.expired.add(e);
                        if (!dryRun) {
                            into.deleted.add(e.getKey());
                        }
                    }
                    case SKIPPED_ACTIVE -> into.skippedActive++;
                    case SKIPPED_CHANGED -> into.skippedChanged++;
                }
            }
        });
    }

    /**
     * The records of {@code keys} of {@code type}, in the keys' order whatever order the store's map has. If the
     * bulk load fails on a corrupt record, the keys are loaded one by one, so that the corrupt record is left out
     * (and handed to {@code unreadable}) instead of failing the page; any other failure is the store's and is
     * thrown.
     */
    static List<Map.Entry<ServerId, StoredState>> load(Storage storage, String type, List<String> keys,
                                                       Consumer<SkippedRow> unreadable) {
        if (keys.isEmpty()) {
            return List.of();
        }
        List<ServerId> ids = new ArrayList<>(keys.size());
        for (String key : keys) {
            ids.add(new ServerId(type, key));
        }
        Map<ServerId, StoredState> loaded;
        Set<ServerId> corrupt = Set.of();
        try {
            loaded = storage.loadAll(ids);
        } catch (CorruptRecordException oneBadRow) {
            loaded = new HashMap<>();
            corrupt = new HashSet<>();
            for (ServerId id : ids) {
                try {
                    loaded.put(id, storage.load(id));
                } catch (CorruptRecordException e) {
                    corrupt.add(id);
                    unreadable.accept(new SkippedRow("corrupt record: " + e.field(), KeyCursor.after(id.key()).text()));
                }
            }
        }
        List<Map.Entry<ServerId, StoredState>> out = new ArrayList<>(ids.size());
        for (ServerId id : ids) {
            if (!corrupt.contains(id)) {
                out.add(Map.entry(id, loaded.getOrDefault(id, StoredState.ABSENT)));
            }
        }
        return out;
    }
}

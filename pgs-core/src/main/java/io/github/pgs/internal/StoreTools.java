package io.github.pgs.internal;

import io.github.pgs.Reminder;
import io.github.pgs.ServerId;
import io.github.pgs.spi.KeyPage;
import io.github.pgs.spi.Scheduler;
import io.github.pgs.spi.SkippedRow;
import io.github.pgs.spi.Storage;
import io.github.pgs.spi.StoredState;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * What the admin package shares with the runtime, without a runtime: the expiry of old states (the same logic
 * the runtime's TTL sweeps run), paging over a type, page loads that leave corrupt records out, the tombstone
 * that lifts a quarantine, the reading of stored reminders, and the periodic job. With {@link Registry} it is the
 * seam: the only public classes of this package.
 */
public final class StoreTools {

    private StoreTools() {
    }

    /**
     * Which servers a runtime holds, as expiry and deletion need to know it: is it active, is it quarantined, and
     * the release and petrification they may ask for. {@link #NONE}: a bare store, where nothing is held.
     */
    public record ServerView(Predicate<ServerId> active, Predicate<ServerId> quarantined,
                             Predicate<ServerId> releaser, Predicate<ServerId> petrifier) {

        /** A bare store: nothing is active, nothing quarantined. */
        public static final ServerView NONE = new ServerView(id -> false, id -> false, id -> false, id -> false);

        public ServerView {
            Objects.requireNonNull(active, "active");
            Objects.requireNonNull(quarantined, "quarantined");
            Objects.requireNonNull(releaser, "releaser");
            Objects.requireNonNull(petrifier, "petrifier");
        }

        boolean isActive(ServerId id) {
            return active.test(id);
        }

        boolean isQuarantined(ServerId id) {
            return quarantined.test(id);
        }

        boolean release(ServerId id) {
            return releaser.test(id);
        }

        boolean petrify(ServerId id) {
            return petrifier.test(id);
        }
    }

    /**
     * What an expiry did; filled as it goes, so a store failure part-way leaves what was done in it. Rows that
     * cannot be read go to {@code unreadable}; {@code old} sees every old state before it is judged.
     */
    public static final class Sweep {
        final Consumer<SkippedRow> unreadable;
        final BiConsumer<ServerId, StoredState> old;
        long examined;
        final List<Map.Entry<ServerId, StoredState>> expired = new ArrayList<>();
        final List<ServerId> deleted = new ArrayList<>();
        int skippedActive;
        int skippedChanged;

        public Sweep(Consumer<SkippedRow> unreadable, BiConsumer<ServerId, StoredState> old) {
            this.unreadable = Objects.requireNonNull(unreadable, "unreadable");
            this.old = Objects.requireNonNull(old, "old");
        }

        public long examined() {
            return examined;
        }

        /** The states expired (or that would be, in a dry run), in key order, as they were before. */
        public List<Map.Entry<ServerId, StoredState>> expired() {
            return expired;
        }

        public List<ServerId> deleted() {
            return deleted;
        }

        public int skippedActive() {
            return skippedActive;
        }

        public int skippedChanged() {
            return skippedChanged;
        }
    }

    /**
     * Expires the live states of {@code type} last written at or before {@code cutoffMillis}, as the runtime's
     * TTL sweeps do, against {@code view} ({@link ServerView#NONE} for a bare store), filling {@code into}.
     */
    public static void expire(Storage storage, String type, long cutoffMillis, boolean dryRun, ServerView view,
                              Sweep into) {
        Objects.requireNonNull(view, "view");
        Expiry.scan(storage, type, cutoffMillis, dryRun,
                (id, version, dry) -> Expiry.expireOne(storage, view, id, version, dry), into);
    }

    /** Calls {@code each} with every page of {@code type}; a listing that does not advance fails. */
    public static void eachPage(Storage storage, String type, int pageSize, Consumer<KeyPage> each) {
        Listing.eachPage(storage, type, pageSize, each);
    }

    /** The records of {@code keys} of {@code type}, in the keys' order; corrupt records go to {@code unreadable}. */
    public static List<Map.Entry<ServerId, StoredState>> loadPage(Storage storage, String type, List<String> keys,
                                                                  Consumer<SkippedRow> unreadable) {
        return Expiry.load(storage, type, keys, unreadable);
    }

    /**
     * Writes a tombstone over {@code version} of {@code id}; a quarantine in {@code view} is lifted, a server
     * active there is asked to petrify. Returns the tombstone's version.
     */
    public static long tombstone(Storage storage, ServerView view, ServerId id, long version) {
        return Expiry.tombstone(storage, view, id, version);
    }

    /** The reminders in a stored reminder set, earliest first. */
    public static List<Reminder> describeReminders(byte[] stored) {
        return ReminderSet.describe(stored);
    }

    /** A job run every interval, never overlapping, never on the scheduler's thread. */
    public interface Job extends AutoCloseable {
        Job start();

        @Override
        void close();

        boolean isClosed();
    }

    public static Job periodic(Scheduler scheduler, Duration interval, Executor executor, Runnable body,
                               Consumer<RuntimeException> onFailure) {
        return new PeriodicJob(scheduler, interval, executor, body, onFailure);
    }

    /** {@code nowMillis - d}, or the earliest representable instant if that is out of range. */
    public static long saturatedMinus(long nowMillis, Duration d) {
        try {
            return Math.subtractExact(nowMillis, d.toMillis());
        } catch (ArithmeticException overflow) {
            return Long.MIN_VALUE;
        }
    }

    /** The reserved type under which quarantines are recorded (key: the server id's text form). */
    public static final String QUARANTINE_TYPE = Quarantines.TYPE;

    /** A recorded quarantine: the last failure and when it was recorded. */
    public record Recorded(String lastFailure, long sinceMillis) {
    }

    /** The quarantine recorded for {@code id} in {@code storage}, or {@code null}. */
    public static Recorded recordedQuarantine(Storage storage, ServerId id) {
        Quarantines.Entry e = Quarantines.read(storage, id);
        return e == null ? null : new Recorded(e.lastFailure(), e.sinceMillis());
    }

    /** The recorded quarantines among {@code ids}, loaded at once, by id. */
    public static Map<ServerId, Recorded> recordedQuarantines(Storage storage, List<ServerId> ids) {
        List<String> keys = new ArrayList<>(ids.size());
        ids.forEach(id -> keys.add(id.toString()));
        Map<ServerId, Recorded> out = new java.util.HashMap<>();
        for (Map.Entry<ServerId, StoredState> e : Expiry.load(storage, Quarantines.TYPE, keys, row -> { })) {
            if (e.getValue().hasPayload()) {
                Quarantines.Entry q = Quarantines.entry(e.getValue());
                out.put(ServerId.parse(e.getKey().key()), new Recorded(q.lastFailure(), q.sinceMillis()));
            }
        }
        return out;
    }

    /** Deletes the quarantine recorded for {@code id} in {@code storage}; whether there was one. */
    public static boolean clearRecordedQuarantine(Storage storage, ServerId id) {
        return Quarantines.clearRecord(storage, id);
    }

    /**
     * Writes the state {@code id} had {@code stepsBack} kept versions ago as its newest version, keeping one more
     * replaced state than now (so nothing kept is lost; the type's next write prunes to its own depth). The write is
     * version-checked against the version read just before.
     *
     * @throws IllegalArgumentException if fewer versions are kept
     */
    public static long rollBack(Storage storage, ServerId id, int stepsBack) {
        return Operations.rollBack(storage, id, stepsBack, -1);
    }
}

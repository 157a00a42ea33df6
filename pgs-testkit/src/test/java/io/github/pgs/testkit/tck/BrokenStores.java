package io.github.pgs.testkit.tck;

import io.github.pgs.ServerId;
import io.github.pgs.StorageException;
import io.github.pgs.VersionConflictException;
import io.github.pgs.spi.DueCursor;
import io.github.pgs.spi.DuePage;
import io.github.pgs.spi.DueServer;
import io.github.pgs.spi.KeyCursor;
import io.github.pgs.spi.KeyPage;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.spi.Storage;
import io.github.pgs.spi.StorageCapability;
import io.github.pgs.spi.StoredState;
import io.github.pgs.store.InMemoryStorage;
import io.github.pgs.testkit.ForwardingStorage;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stores that each break one clause of the storage contract, to show that the conformance suite and the model
 * runner catch them. Each wraps a correct {@link InMemoryStorage} and changes one behaviour.
 */
final class BrokenStores {

    private static final Comparator<String> UTF8_ORDER = (x, y) ->
            Arrays.compareUnsigned(x.getBytes(StandardCharsets.UTF_8), y.getBytes(StandardCharsets.UTF_8));

    private BrokenStores() {
    }

    /** Forwards everything to a correct store; subclasses break one method. */
    static class Forwarding extends ForwardingStorage {
        Forwarding() {
            super(new InMemoryStorage());
        }
    }

    /**
     * Keeps no history, as the SPI allows: {@code history} throws {@link UnsupportedOperationException} and saves
     * with a depth are refused. Not broken; it shows that the suite accepts such a store.
     */
    static Storage withoutHistory() {
        return new Forwarding() {
            @Override
            public Set<StorageCapability> capabilities() {
                return EnumSet.of(StorageCapability.REMINDERS);
            }

            @Override
            public long save(StateWrite write) {
                if (write.historyDepth() > 0) {
                    throw new UnsupportedOperationException("this store keeps no state history");
                }
                return delegate.save(write);
            }

            @Override
            public List<StoredState> history(ServerId id) {
                throw new UnsupportedOperationException("this store keeps no state history");
            }
        };
    }

    /** Keeps history but does not declare it: the runtime would never use it, and callers cannot trust either. */
    static Storage historyUndeclared() {
        return new Forwarding() {
            @Override
            public Set<StorageCapability> capabilities() {
                return EnumSet.of(StorageCapability.REMINDERS);
            }
        };
    }

    /** Declares reminders but keeps none: {@code due} finds nothing. */
    static Storage remindersDeclaredButNotKept() {
        return new Forwarding() {
            @Override
            public DuePage due(long notAfterMillis, DueCursor after, int limit) {
                return new DuePage(List.of(), null, List.of());
            }
        };
    }

    /** Keeps a deleted server in its due index: a tombstone is still reported as due. */
    static Storage dueKeepingTombstones() {
        return new Forwarding() {
            private final Map<ServerId, DueServer> deleted = new ConcurrentHashMap<>();

            @Override
            public long delete(ServerId id, long expectedVersion) {
                StoredState before = delegate.load(id);
                long v = delegate.delete(id, expectedVersion);
                if (before.reminders() != null) {
                    deleted.put(id, new DueServer(id, before.remindAtMillis()));
                }
                return v;
            }

            @Override
            public DuePage due(long notAfterMillis, DueCursor after, int limit) {
                DuePage page = delegate.due(notAfterMillis, after, limit);
                List<DueServer> out = new ArrayList<>(page.servers());
                for (DueServer d : deleted.values()) {
                    if (d.remindAtMillis() <= notAfterMillis && out.size() < limit) {
                        out.add(d);
                    }
                }
                return new DuePage(out, page.next(), page.skipped());
            }
        };
    }

    /** Reports servers due later than asked: the index is read without its upper bound. */
    static Storage dueIgnoringTheBound() {
        return new Forwarding() {
            @Override
            public DuePage due(long notAfterMillis, DueCursor after, int limit) {
                return delegate.due(Long.MAX_VALUE, after, limit);
            }
        };
    }

    /** A write without reminders leaves the previous reminders in place instead of removing them. */
    static Storage saveKeepingOldReminders() {
        return new Forwarding() {
            @Override
            public long save(StateWrite write) {
                if (write.reminders() == null) {
                    StoredState before = delegate.load(write.id());
                    if (before.reminders() != null && before.version() == write.expectedVersion()) {
                        write = new StateWrite(write.id(), write.expectedVersion(), write.payload(),
                                write.schemaVersion(), write.historyDepth(), before.reminders(),
                                before.remindAtMillis());
                    }
                }
                return delegate.save(write);
            }
        };
    }

    /** Ignores the depth when pruning: keeps every replaced state (depth 0 still drops them). */
    static Storage historyNeverPruned() {
        return new Forwarding() {
            @Override
            public long save(StateWrite write) {
                return delegate.save(write.historyDepth() == 0 ? write : new StateWrite(write.id(),
                        write.expectedVersion(), write.payload(), write.schemaVersion(), 1_000, write.reminders(),
                        write.remindAtMillis()));
            }
        };
    }

    /** Shows the history from before a delete again until a later save keeps a new one. */
    static Storage historySurvivingDeletes() {
        return new Forwarding() {
            private final Map<ServerId, List<StoredState>> beforeDelete = new ConcurrentHashMap<>();

            @Override
            public long delete(ServerId id, long expectedVersion) {
                List<StoredState> kept = delegate.history(id);
                long v = delegate.delete(id, expectedVersion);
                beforeDelete.put(id, kept);
                return v;
            }

            @Override
            public long save(StateWrite write) {
                long v = delegate.save(write);
                if (write.historyDepth() == 0 || !delegate.history(write.id()).isEmpty()) {
                    beforeDelete.remove(write.id());
                }
                return v;
            }

            @Override
            public List<StoredState> history(ServerId id) {
                List<StoredState> kept = delegate.history(id);
                return kept.isEmpty() ? beforeDelete.getOrDefault(id, kept) : kept;
            }
        };
    }

    /** Hands out the same history entries (and arrays) again as long as the history has not changed. */
    static Storage aliasingHistory() {
        return new Forwarding() {
            private final Map<ServerId, List<StoredState>> handedOut = new ConcurrentHashMap<>();

            @Override
            public List<StoredState> history(ServerId id) {
                List<StoredState> fresh = delegate.history(id);
                List<StoredState> before = handedOut.get(id);
                if (before != null && before.stream().map(StoredState::version).toList()
                        .equals(fresh.stream().map(StoredState::version).toList())) {
                    return before;
                }
                handedOut.put(id, fresh);
                return fresh;
            }
        };
    }

    /**
     * Keeps history outside the write's commit: after a successful save it adds the replaced state to a list of
     * its own with an unsynchronized read-modify-write, so that concurrent saves lose or misorder entries.
     */
    static Storage historyOutsideTheCommit() {
        return new Forwarding() {
            private final Map<ServerId, List<StoredState>> kept = new ConcurrentHashMap<>();

            @Override
            public long save(StateWrite write) {
                StoredState replaced = delegate.load(write.id());
                long v = delegate.save(new StateWrite(write.id(), write.expectedVersion(), write.payload(),
                        write.schemaVersion(), 0, write.reminders(), write.remindAtMillis()));
                List<StoredState> before = kept.getOrDefault(write.id(), List.of());
                pause();
                List<StoredState> after = new ArrayList<>();
                if (write.historyDepth() > 0 && replaced.hasPayload()) {
                    after.add(replaced);
                    after.addAll(before.subList(0, Math.min(before.size(), write.historyDepth() - 1)));
                }
                kept.put(write.id(), after);
                return v;
            }

            @Override
            public long delete(ServerId id, long expectedVersion) {
                long v = delegate.delete(id, expectedVersion);
                kept.remove(id);
                return v;
            }

            @Override
            public List<StoredState> history(ServerId id) {
                return kept.getOrDefault(id, List.of());
            }
        };
    }

    private static void pause() {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted", e);
        }
    }

    /** Deletes whatever version is stored, ignoring the writer's expected version. */
    static Storage deleteIgnoringVersion() {
        return new Forwarding() {
            @Override
            public long delete(ServerId id, long expectedVersion) {
                return delegate.delete(id, delegate.load(id).version());
            }
        };
    }

    /** Lets a writer that expects "never saved" overwrite a tombstone. */
    static Storage saveResurrectingTombstones() {
        return new Forwarding() {
            @Override
            public long save(StateWrite write) {
                StoredState current = delegate.load(write.id());
                if (write.expectedVersion() == 0 && current.isTombstone()) {
                    return delegate.save(new StateWrite(write.id(), current.version(), write.payload(),
                            write.schemaVersion(), 0, write.reminders(), write.remindAtMillis()));
                }
                return delegate.save(write);
            }
        };
    }

    /** Reports conflicts without the stored version. */
    static Storage conflictWithoutActualVersion() {
        return new Forwarding() {
            @Override
            public long save(StateWrite write) {
                try {
                    return delegate.save(write);
                } catch (VersionConflictException e) {
                    throw new VersionConflictException(write.id(), write.expectedVersion(), -1);
                }
            }
        };
    }

    /** Orders keys by {@link String#compareTo} (UTF-16 code units) instead of UTF-8 bytes. */
    static Storage listInUtf16Order() {
        return new Forwarding() {
            @Override
            public KeyPage list(String type, KeyCursor after, int limit) {
                List<String> all = new ArrayList<>();
                KeyCursor cursor = null;
                KeyPage page;
                do {
                    page = delegate.list(type, cursor, 1000);
                    all.addAll(page.keys());
                    cursor = page.next();
                } while (page.hasMore());
                String afterKey = after == null ? null : new String(after.bytes(), StandardCharsets.UTF_8);
                List<String> rest = all.stream().sorted()
                        .filter(k -> afterKey == null || k.compareTo(afterKey) > 0).toList();
                List<String> keys = rest.subList(0, Math.min(limit, rest.size()));
                return new KeyPage(keys, rest.size() > limit ? KeyCursor.after(keys.get(keys.size() - 1)) : null);
            }
        };
    }

    /** Lists every key ever written, tombstoned or not. */
    static Storage listIncludingTombstones() {
        return new Forwarding() {
            private final Map<String, Set<String>> written = new ConcurrentHashMap<>();

            @Override
            public long save(StateWrite write) {
                long v = delegate.save(write);
                written.computeIfAbsent(write.id().type(), t -> ConcurrentHashMap.newKeySet()).add(write.id().key());
                return v;
            }

            @Override
            public KeyPage list(String type, KeyCursor after, int limit) {
                KeyPage live = delegate.list(type, after, limit);
                List<String> keys = new ArrayList<>(live.keys());
                for (String key : written.getOrDefault(type, Set.of())) {
                    if (!keys.contains(key) && delegate.load(new ServerId(type, key)).isTombstone()) {
                        keys.add(key);
                    }
                }
                keys.sort(UTF8_ORDER);
                return new KeyPage(keys, live.next());
            }
        };
    }

    /** Leaves absent ids out of bulk loads. */
    static Storage loadAllSkippingAbsent() {
        return new Forwarding() {
            @Override
            public Map<ServerId, StoredState> loadAll(Collection<ServerId> ids) {
                Map<ServerId, StoredState> out = new LinkedHashMap<>();
                delegate.loadAll(ids).forEach((id, state) -> {
                    if (state.version() > 0) {
                        out.put(id, state);
                    }
                });
                return out;
            }
        };
    }

    /** Hands out the arrays it was given instead of copies. */
    static Storage aliasingPayloads() {
        return new Forwarding() {
            private final Map<ServerId, byte[]> arrays = new ConcurrentHashMap<>();

            @Override
            public long save(StateWrite write) {
                long v = delegate.save(write);
                arrays.put(write.id(), write.payload());
                return v;
            }

            @Override
            public StoredState load(ServerId id) {
                StoredState s = delegate.load(id);
                return s.hasPayload()
                        ? new StoredState(s.version(), arrays.get(id), s.schemaVersion(), s.updatedAtMillis(),
                                s.reminders(), s.remindAtMillis())
                        : s;
            }
        };
    }

    /** Keeps answering {@code list} after close. */
    static Storage listingAfterClose() {
        return new Forwarding() {
            private volatile boolean closed;

            @Override
            public KeyPage list(String type, KeyCursor after, int limit) {
                return closed ? new KeyPage(List.of(), null) : delegate.list(type, after, limit);
            }

            @Override
            public void close() {
                closed = true;
                delegate.close();
            }
        };
    }

    /** Throws on a second close. */
    static Storage closeNotIdempotent() {
        return new Forwarding() {
            private boolean closed;

            @Override
            public synchronized void close() {
                if (closed) {
                    throw new StorageException("already closed", null);
                }
                closed = true;
                delegate.close();
            }
        };
    }

    /** Stores no write time. */
    static Storage withoutUpdateTime() {
        return new Forwarding() {
            @Override
            public StoredState load(ServerId id) {
                StoredState s = delegate.load(id);
                return s.version() == 0 ? s : new StoredState(s.version(), s.payload(), s.schemaVersion(), 0,
                        s.reminders(), s.remindAtMillis());
            }
        };
    }

    /**
     * Checks the version and writes in two separate steps with a pause between them, so that concurrent
     * writers can all pass the check: the lost-update bug of a store without compare-and-set.
     */
    static Storage checkThenWriteWithoutAtomicity() {
        return new Forwarding() {
            private final Map<ServerId, StoredState> states = new ConcurrentHashMap<>();

            @Override
            public StoredState load(ServerId id) {
                return states.getOrDefault(id, StoredState.ABSENT);
            }

            @Override
            public long save(StateWrite write) {
                return put(write.id(), write.expectedVersion(), write.payload().clone(), write.schemaVersion());
            }

            @Override
            public long delete(ServerId id, long expectedVersion) {
                return put(id, expectedVersion, null, 0);
            }

            private long put(ServerId id, long expected, byte[] payload, int schema) {
                long stored = load(id).version();
                if (stored != expected) {
                    throw new VersionConflictException(id, expected, stored);
                }
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StorageException("interrupted", e);
                }
                states.put(id, new StoredState(expected + 1, payload, schema, System.currentTimeMillis()));
                return expected + 1;
            }
        };
    }
}

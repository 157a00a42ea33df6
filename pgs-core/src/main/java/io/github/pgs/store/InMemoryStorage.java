package io.github.pgs.store;

import io.github.pgs.ServerId;
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
import io.github.pgs.store.support.CloseGate;
import io.github.pgs.store.support.DuePageBuilder;
import io.github.pgs.store.support.KeyPageBuilder;
import io.github.pgs.store.support.StoreChecks;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * A {@link Storage} in the JVM's heap, for tests and for servers whose state need not survive the JVM. It keeps
 * the full contract (versions, tombstones, ordered listing) so that code tested against it behaves the same on a
 * durable store. Payloads are copied on the way in and out.
 *
 * <p>Thread-safe: each key's compare-and-set is one atomic {@link ConcurrentHashMap#compute}. Reminders
 * ({@link #due}) are indexed in a sorted set of (remindAt, type, key) entries that the same {@code compute}
 * updates, so a key's index entry changes together with its record; a {@code due} page running at the same time
 * sees each entry as it is when the page's iterator passes it.
 */
public final class InMemoryStorage implements Storage {

    /**
     * UTF-8 byte order without encoding: UTF-8 preserves code point order, and UTF-16 differs from code point
     * order only where a surrogate meets a unit in U+E000..U+FFFF, which the fix-up below reorders.
     */
    private static final Comparator<String> UTF8_ORDER = (a, b) -> {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                if (x >= 0xD800 && y >= 0xD800) {
                    return Integer.compare(codePointOrder(x), codePointOrder(y));
                }
                return Integer.compare(x, y);
            }
        }
        return Integer.compare(a.length(), b.length());
    };

    /** The first id in {@link #DUE_ORDER} at any instant: the smallest type name and the empty key. */
    private static final ServerId FIRST_ID = new ServerId("$", "");

    private static int codePointOrder(char c) {
        return c >= 0xE000 ? c - 0x800 : c + 0x2000;
    }

    /** The order of {@link #due}: remindAt, then type, then key (both in UTF-8 byte order). */
    private static final Comparator<DueServer> DUE_ORDER = Comparator.comparingLong(DueServer::remindAtMillis)
            .thenComparing(d -> d.id().type(), UTF8_ORDER)
            .thenComparing(d -> d.id().key(), UTF8_ORDER);

    private final Map<String, ConcurrentHashMap<String, StoredState>> types = new ConcurrentHashMap<>();
    /** Replaced states kept per server, most recent first; only touched inside the key's compare-and-set. */
    private final ConcurrentHashMap<ServerId, List<StoredState>> history = new ConcurrentHashMap<>();
    /** One entry per live state with reminders; only touched inside the key's compare-and-set. */
    private final ConcurrentSkipListSet<DueServer> dueIndex = new ConcurrentSkipListSet<>(DUE_ORDER);
    private final CloseGate gate = new CloseGate("in-memory store");

    /** {@inheritDoc} Here: history and reminders. */
    @Override
    public Set<StorageCapability> capabilities() {
        return EnumSet.allOf(StorageCapability.class);
    }

    @Override
    public StoredState load(ServerId id) {
        StoreChecks.id(id);
        gate.checkOpen();
        StoredState s = table(id.type()).get(id.key());
        return s == null ? StoredState.ABSENT : copy(s);
    }

    @Override
    public long save(StateWrite write) {
        StoreChecks.write(write);
        gate.checkOpen();
        ServerId id = write.id();
        StoredState next = new StoredState(write.newVersion(), write.payload().clone(), write.schemaVersion(),
                System.currentTimeMillis(), write.hasReminders() ? write.reminders().clone() : null,
                write.remindAtMillis());
        compareAndSet(id, write.expectedVersion(), next, write.historyDepth());
        return next.version();
    }

    @Override
    public long delete(ServerId id, long expectedVersion) {
        StoreChecks.id(id);
        StoreChecks.expectedVersion(expectedVersion);
        gate.checkOpen();
        StoredState tombstone = new StoredState(expectedVersion + 1, null, 0, System.currentTimeMillis());
        compareAndSet(id, expectedVersion, tombstone, 0);
        return tombstone.version();
    }

    private void compareAndSet(ServerId id, long expected, StoredState next, int historyDepth) {
        long[] actual = {-1};
        table(id.type()).compute(id.key(), (k, cur) -> {
            long v = cur == null ? 0 : cur.version();
            if (v != expected) {
                actual[0] = v;
                return cur;
            }
            keepHistory(id, cur, historyDepth);
            if (cur != null && cur.reminders() != null) {
                dueIndex.remove(new DueServer(id, cur.remindAtMillis()));
            }
            if (next.reminders() != null) {
                dueIndex.add(new DueServer(id, next.remindAtMillis()));
            }
            return next;
        });
        if (actual[0] >= 0) {
            throw new VersionConflictException(id, expected, actual[0]);
        }
    }

    private void keepHistory(ServerId id, StoredState replaced, int depth) {
        if (depth == 0) {
            if (!history.isEmpty()) {
                history.remove(id);
            }
            return;
        }
        if (replaced == null || !replaced.hasPayload()) {
            return;
        }
        // history entries never carry reminders
        StoredState kept = new StoredState(replaced.version(), replaced.payload(), replaced.schemaVersion(),
                replaced.updatedAtMillis());
        history.compute(id, (k, h) -> {
            List<StoredState> next = new ArrayList<>(depth);
            next.add(kept);
            if (h != null) {
                next.addAll(h.subList(0, Math.min(h.size(), depth - 1)));
            }
            return List.copyOf(next);
        });
    }

    @Override
    public List<StoredState> history(ServerId id) {
        StoreChecks.id(id);
        gate.checkOpen();
        List<StoredState> h = history.get(id);
        if (h == null) {
            return List.of();
        }
        List<StoredState> out = new ArrayList<>(h.size());
        h.forEach(s -> out.add(copy(s)));
        return out;
    }

    /** {@inheritDoc} Here: a walk of a sorted index from {@code after}, so a page costs what it holds. */
    @Override
    public DuePage due(long notAfterMillis, DueCursor after, int limit) {
        DuePageBuilder page = new DuePageBuilder(limit);
        NavigableSet<DueServer> from = dueIndex;
        if (after != null) {
            DuePageBuilder.Position p = DuePageBuilder.position(after);
            from = p.beforeAll()
                    ? dueIndex.tailSet(new DueServer(FIRST_ID, Math.max(1, p.remindAtMillis())), true)
                    : dueIndex.tailSet(new DueServer(new ServerId(ServerId.decodeKey(p.type()),
                            ServerId.decodeKey(p.key())), Math.max(1, p.remindAtMillis())), false);
        }
        gate.checkOpen();
        for (DueServer d : from) {
            byte[] type = d.id().type().getBytes(StandardCharsets.UTF_8);
            byte[] key = d.id().key().getBytes(StandardCharsets.UTF_8);
            if (d.remindAtMillis() > notAfterMillis || !page.addRow(d.remindAtMillis(), type, key, true)) {
                break;
            }
        }
        return page.build();
    }

    @Override
    public KeyPage list(String type, KeyCursor after, int limit) {
        KeyPageBuilder page = new KeyPageBuilder(limit);
        boolean valid = StoreChecks.type(type);
        gate.checkOpen();
        ConcurrentHashMap<String, StoredState> t = valid ? types.get(type) : null;
        if (t == null) {
            return page.build();
        }
        // Point operations dominate; listing sorts what it needs (a test store, not an index).
        byte[] from = after == null ? null : after.bytes();
        List<byte[]> live = new ArrayList<>();
        t.forEach((k, v) -> {
            byte[] key = k.getBytes(StandardCharsets.UTF_8);
            if (v.hasPayload() && (from == null || Arrays.compareUnsigned(key, from) > 0)) {
                live.add(key);
            }
        });
        live.sort(Arrays::compareUnsigned);
        for (byte[] key : live) {
            if (!page.add(key)) {
                break;
            }
        }
        return page.build();
    }

    /** The number of live (non-tombstone) states held. */
    public int size() {
        int n = 0;
        for (ConcurrentHashMap<String, StoredState> t : types.values()) {
            for (StoredState s : t.values()) {
                if (s.hasPayload()) {
                    n++;
                }
            }
        }
        return n;
    }

    @Override
    public void close() {
        gate.close();
    }

    private ConcurrentHashMap<String, StoredState> table(String type) {
        ConcurrentHashMap<String, StoredState> t = types.get(type);
        return t != null ? t : types.computeIfAbsent(type, k -> new ConcurrentHashMap<>());
    }

    private static StoredState copy(StoredState s) {
        return s.payload() == null ? s
                : new StoredState(s.version(), s.payload().clone(), s.schemaVersion(), s.updatedAtMillis(),
                        s.reminders() == null ? null : s.reminders().clone(), s.remindAtMillis());
    }
}

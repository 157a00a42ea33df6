package io.github.pgs.internal;

import io.github.pgs.ServerId;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The map from server id to its activation, built to give memory back: a petrified server must cost nothing, so
 * the table shrinks when most of its servers have left. A {@link ConcurrentHashMap} never shrinks (after a
 * million activations its table keeps two million slots, 8 MB, for good), so the ids are spread over
 * {@value #SEGMENTS} segments, each a map that is replaced by a smaller copy once it holds less than an eighth
 * of the most it held since its last copy.
 *
 * <p>Reads take no lock: they read a segment's current map. Writes to a segment, and its replacement, hold the
 * segment's monitor, so no write can land in a map after it was copied. A reader that still holds the replaced
 * map sees it as it was at the copy: an activation that has left since (so is dead, and refuses messages), or
 * none where one has arrived since (so the reader tries to install one and finds it). Both end in the registry's
 * retry loop, exactly as a read racing a removal does in a single map.
 *
 * <p>Copies are amortised: a copy walks the old map once, and only after at least seven eighths of the peak it
 * was sized for have left, so each removal pays a constant share.
 */
final class ActiveTable<V> implements Iterable<V> {

    /** The number of segments; a power of two. */
    static final int SEGMENTS = 64;
    /** Below this peak a segment is never copied: the table it could give back is a few hundred bytes. */
    static final int MIN_SHRINK_PEAK = 64;

    private static final class Segment<V> {
        volatile ConcurrentHashMap<ServerId, V> map = new ConcurrentHashMap<>();
        int size; // guarded by this
        int peak; // guarded by this: the largest size since the map was last replaced
        long copies; // guarded by this
    }

    @SuppressWarnings("unchecked")
    private final Segment<V>[] segments = new Segment[SEGMENTS];

    ActiveTable() {
        for (int i = 0; i < SEGMENTS; i++) {
            segments[i] = new Segment<>();
        }
    }

    private Segment<V> segmentOf(ServerId id) {
        int h = id.hashCode() * 0x9E3779B9; // the top bits pick the segment; the map uses the low ones
        return segments[h >>> (Integer.SIZE - Integer.numberOfTrailingZeros(SEGMENTS))];
    }

    V get(ServerId id) {
        return segmentOf(id).map.get(id);
    }

    boolean containsKey(ServerId id) {
        return segmentOf(id).map.containsKey(id);
    }

    /** Installs {@code a} unless {@code id} has an activation; returns that one, or {@code null} if installed. */
    V putIfAbsent(ServerId id, V a) {
        Segment<V> s = segmentOf(id);
        synchronized (s) {
            V existing = s.map.putIfAbsent(id, a);
            if (existing == null && ++s.size > s.peak) {
                s.peak = s.size;
            }
            return existing;
        }
    }

    /** Removes {@code id} if it maps to {@code a}; returns whether it did. */
    boolean remove(ServerId id, V a) {
        Segment<V> s = segmentOf(id);
        synchronized (s) {
            if (!s.map.remove(id, a)) {
                return false;
            }
            s.size--;
            if (s.peak >= MIN_SHRINK_PEAK && s.size <= s.peak >>> 3) {
                ConcurrentHashMap<ServerId, V> smaller = new ConcurrentHashMap<>();
                smaller.putAll(s.map);
                s.map = smaller;
                s.peak = s.size;
                s.copies++;
            }
            return true;
        }
    }

    /** The number of activations in the table; exact when no write runs concurrently. */
    int size() {
        int n = 0;
        for (Segment<V> s : segments) {
            n += s.map.size();
        }
        return n;
    }

    /** How many times a segment was replaced by a smaller copy; for tests. */
    long copies() {
        long n = 0;
        for (Segment<V> s : segments) {
            synchronized (s) {
                n += s.copies;
            }
        }
        return n;
    }

    /**
     * The activations, segment by segment, each segment's as its map's iterator shows them (weakly consistent:
     * an activation installed or removed during the walk may or may not be seen).
     */
    @Override
    public Iterator<V> iterator() {
        return new Iterator<>() {
            private int next;
            private Iterator<V> current = java.util.Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!current.hasNext()) {
                    if (next == SEGMENTS) {
                        return false;
                    }
                    current = segments[next++].map.values().iterator();
                }
                return true;
            }

            @Override
            public V next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return current.next();
            }
        };
    }
}

package io.github.pgs.internal;

import io.github.pgs.ServerId;
import io.github.pgs.TypeOptions;

import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Restart intensity: remembers recent crash times per server and says when a server crashed more than
 * {@code maxRestarts} times within {@code restartWindow}. Only servers that crashed recently have an entry;
 * entries whose crashes all aged out are dropped on the next record.
 */
final class CrashTracker {

    private final ConcurrentHashMap<ServerId, ArrayDeque<Long>> recent = new ConcurrentHashMap<>();

    /** Records a crash at {@code now}; returns {@code true} if the server is now past its restart intensity. */
    boolean record(ServerId id, TypeOptions opts, long now) {
        long window = opts.restartWindow().toNanos();
        boolean[] exceeded = {false};
        recent.compute(id, (k, times) -> {
            ArrayDeque<Long> t = times == null ? new ArrayDeque<>(4) : times;
            while (!t.isEmpty() && now - t.peekFirst() > window) {
                t.pollFirst();
            }
            t.addLast(now);
            exceeded[0] = t.size() > opts.maxRestarts();
            return t;
        });
        if (recent.size() > 1024) {
            for (ServerId k : recent.keySet()) {
                recent.computeIfPresent(k, (kk, t) -> t.isEmpty() || now - t.peekLast() > window ? null : t);
            }
        }
        return exceeded[0];
    }

    void forget(ServerId id) {
        recent.remove(id);
    }
}

package io.github.pgs.cluster.pekko.internal;

import io.github.pgs.ServerId;
import io.github.pgs.placement.PlacementHost;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Gathers the hand-offs that entities ask for into one call of {@link PlacementHost#handOff}: when a shard moves,
 * Pekko stops all of its entities at once, and one pass of the runtime over its active servers for the whole batch
 * costs far less than one pass per server.
 *
 * <p>Algorithm: the first request after a flush schedules the next flush on a new virtual thread; requests that
 * arrive until it runs join its batch; each requester gets its own future, completed when the runtime's hand-off of
 * the batch completes. Hazard: a batch ends when its slowest server has petrified; Pekko waits for the whole shard
 * anyway, so nothing waits longer than it would have.
 */
final class HandOffs {

    private final PlacementHost host;
    private Map<ServerId, CompletableFuture<Void>> pending = new HashMap<>();
    private boolean scheduled;

    HandOffs(PlacementHost host) {
        this.host = host;
    }

    /** Hands {@code id} off with whatever else is asked for meanwhile. */
    CompletableFuture<Void> request(ServerId id) {
        CompletableFuture<Void> f;
        boolean schedule;
        synchronized (this) {
            f = pending.computeIfAbsent(id, k -> new CompletableFuture<>());
            schedule = !scheduled;
            scheduled = true;
        }
        if (schedule) {
            Thread.ofVirtual().name("pgs-hand-off").start(this::flush);
        }
        return f;
    }

    private void flush() {
        Map<ServerId, CompletableFuture<Void>> batch;
        synchronized (this) {
            batch = pending;
            pending = new HashMap<>();
            scheduled = false;
        }
        try {
            host.handOff(batch::containsKey).whenComplete((v, error) -> {
                for (CompletableFuture<Void> f : batch.values()) {
                    if (error == null) {
                        f.complete(null);
                    } else {
                        f.completeExceptionally(error);
                    }
                }
            });
        } catch (RuntimeException e) {
            batch.values().forEach(f -> f.completeExceptionally(e));
        }
    }
}

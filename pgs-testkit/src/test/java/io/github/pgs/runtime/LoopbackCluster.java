package io.github.pgs.runtime;

import io.github.pgs.ServerId;
import io.github.pgs.ServerUnreachableException;
import io.github.pgs.placement.Placement;
import io.github.pgs.placement.PlacementHost;
import io.github.pgs.placement.WireFormat;
import io.github.pgs.placement.WireMessage;
import io.github.pgs.placement.WireReply;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToIntFunction;

/**
 * A placement engine for tests: several runtimes in one JVM as the nodes of a cluster, each server owned by the
 * node its id hashes to (or a node chosen by the test). Every message and reply crosses as bytes through
 * {@link WireFormat} (the local objects are dropped), so the tests exercise what a real engine's serializer
 * carries; {@link #inJvm} delivers the objects themselves instead, as an engine does between actors of one JVM.
 * A node can be cut off (asks fail with {@link ServerUnreachableException}) and the owner function changed (a
 * hand-off).
 */
final class LoopbackCluster {

    private final List<PlacementHost> hosts = new ArrayList<>();
    private volatile ToIntFunction<ServerId> owner = id -> Math.floorMod(id.hashCode(), Math.max(1, hosts.size()));
    private final Set<Integer> unreachable = ConcurrentHashMap.newKeySet();
    private volatile boolean inJvm;
    final AtomicInteger asks = new AtomicInteger();
    final AtomicInteger tells = new AtomicInteger();
    final List<ServerId> departed = java.util.Collections.synchronizedList(new ArrayList<>());

    /** A node's engine, to give to its runtime's builder. */
    Placement node() {
        return new Placement() {
            @Override
            public void attach(PlacementHost host) {
                hosts.add(host);
            }

            @Override
            public CompletionStage<WireReply> ask(WireMessage m) {
                asks.incrementAndGet();
                int to = owner.applyAsInt(m.target());
                if (unreachable.contains(to)) {
                    return CompletableFuture.failedFuture(new ServerUnreachableException(m.target(),
                            "node " + to + " is cut off", true, null));
                }
                if (inJvm) {
                    return hosts.get(to).deliver(m);
                }
                WireMessage crossed = WireFormat.decodeMessage(WireFormat.encode(m));
                return hosts.get(to).deliver(crossed)
                        .thenApply(r -> WireFormat.decodeReply(WireFormat.encode(r)));
            }

            @Override
            public void tell(WireMessage m) {
                tells.incrementAndGet();
                int to = owner.applyAsInt(m.target());
                if (!unreachable.contains(to)) {
                    hosts.get(to).deliver(WireFormat.decodeMessage(WireFormat.encode(m)));
                }
            }

            @Override
            public void departed(ServerId id) {
                departed.add(id);
            }

            @Override
            public void close() {
            }
        };
    }

    PlacementHost host(int node) {
        return hosts.get(node);
    }

    int ownerOf(ServerId id) {
        return owner.applyAsInt(id);
    }

    /** Every server is owned by {@code node} from now on. */
    void ownAllBy(int node) {
        owner = id -> node;
    }

    /** Delivers the message and reply objects themselves, without their bytes (one JVM). */
    void inJvm() {
        inJvm = true;
    }

    void cutOff(int node) {
        unreachable.add(node);
    }
}

package io.github.pgs.cluster.pekko.internal;

/**
 * What a server's entity actor receives: deliveries from any node, and local signals from its shard, from the
 * runtime and from itself. Only {@link Deliver} ever crosses nodes.
 */
public sealed interface EntityCommand permits Deliver, EntityCommand.Stop, EntityCommand.Departed,
        EntityCommand.HandedOff {

    /**
     * From the shard: stop, because the shard moves (rebalance, leave) or because the entity asked to passivate.
     * The server petrifies here first, writing what it holds.
     */
    enum Stop implements EntityCommand {
        INSTANCE
    }

    /** From the runtime: the server's activation on this node has ended (petrified, stopped, crashed). */
    enum Departed implements EntityCommand {
        INSTANCE
    }

    /** From the entity itself: the hand-off petrify finished ({@code error} is {@code null} when it wrote). */
    record HandedOff(Throwable error) implements EntityCommand {
    }
}

package io.github.pgs.bench.peers.pekko;

import org.apache.pekko.actor.typed.ActorRef;

/** The messages both Pekko counters understand (the durable one and the in-memory one). */
public final class Protocol {

    private Protocol() {
    }

    /** A message to a counter. */
    public interface Command {
    }

    /** Adds one; replies the new count (for the durable counter: after the new state is persisted). */
    public record Increment(ActorRef<Long> replyTo) implements Command {
    }

    /** Replies the count. */
    public record Get(ActorRef<Long> replyTo) implements Command {
    }

    /** Asks the entity to passivate itself through its shard (S3). */
    public enum PassivateMe implements Command {
        INSTANCE
    }
}

package io.github.pgs.cluster.pekko.internal;

import io.github.pgs.placement.WireReply;

import java.util.Objects;

/** The owner's answer to a {@link Deliver} that asked for one, exactly as its runtime produced it. */
public record Reply(WireReply reply) implements ClusterEnvelope {

    public Reply {
        Objects.requireNonNull(reply, "reply");
    }
}

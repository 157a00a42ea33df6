package io.github.pgs.cluster.pekko.internal;

/**
 * The messages this module sends between nodes. Pekko's configuration binds exactly this interface to
 * {@link EnvelopeSerializer}, so nothing of ours ever falls back to another serializer. Sealed: adding a message
 * means adding its encoding.
 */
public sealed interface ClusterEnvelope permits Deliver, Reply {
}

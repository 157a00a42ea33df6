package io.github.pgs.cluster.pekko;

import io.github.pgs.GenServerException;

import java.time.Duration;

/**
 * This node did not become an {@code Up} member of the cluster in time: no seed node answered, or the cluster
 * refused the node (for example because its settings differ from the cluster's). The node has been shut down
 * again; nothing was handed to it.
 */
public class ClusterJoinException extends GenServerException {

    private final Duration timeout;

    public ClusterJoinException(String address, Duration timeout, String why) {
        super(null, "node " + address + " did not join the cluster within " + timeout.toMillis() + " ms: " + why);
        this.timeout = timeout;
    }

    /** How long the node waited. */
    public Duration timeout() {
        return timeout;
    }
}

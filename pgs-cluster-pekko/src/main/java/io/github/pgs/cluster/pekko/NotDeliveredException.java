package io.github.pgs.cluster.pekko;

import io.github.pgs.GenServerException;
import io.github.pgs.ServerId;

/**
 * The operation never left this node, so it was certainly not applied: this node is not a cluster member (it
 * has not joined yet, is leaving, or was removed by the split-brain resolver). Safe to retry, through another
 * node or once this one has joined.
 */
public class NotDeliveredException extends GenServerException {

    public NotDeliveredException(ServerId serverId, String why) {
        super(serverId, "not delivered: " + why);
    }
}

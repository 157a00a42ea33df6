package io.github.pgs.cluster.pekko;

import io.github.pgs.CodecException;
import io.github.pgs.ServerId;

/**
 * The call was handled on the owning node (and its state change persisted), but its reply could not be carried
 * back: the codec could not encode it there or decode it here as the reply type of the request. Not safe to retry
 * unless the request is idempotent.
 */
public class ReplyNotTransferableException extends CodecException {

    public ReplyNotTransferableException(ServerId serverId, String why, Throwable cause) {
        super(serverId, "the call was handled but its reply cannot cross nodes: " + why, cause);
    }
}

package io.github.pgs.cluster.pekko;

import io.github.pgs.CodecException;
import io.github.pgs.ServerId;

/**
 * A message cannot cross nodes: its class is not one the cluster accepts (see {@code PekkoCluster}'s message
 * types), or the runtime's codec refused it. Raised at the sender before anything is sent, so nothing was applied;
 * retrying the same message fails the same way.
 */
public class MessageNotTransferableException extends CodecException {

    private final String messageClass;

    public MessageNotTransferableException(ServerId serverId, String messageClass, String why, Throwable cause) {
        super(serverId, "message of class " + messageClass + " cannot be sent to another node: " + why, cause);
        this.messageClass = messageClass;
    }

    /** The class of the refused message. */
    public String messageClass() {
        return messageClass;
    }
}

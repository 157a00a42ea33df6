package io.github.pgs.cluster.pekko;

import io.github.pgs.GenServerException;
import io.github.pgs.ServerId;

/**
 * A call failed on the owning node with an exception that is not one of the library's own (for example one a
 * handler passed to {@code From.fail}). Its class cannot be rebuilt here; {@link #getCause()} is a
 * {@link RemoteCause} with its class name and message. Whether the call was applied is up to the handler that
 * failed it.
 */
public class RemoteFailureException extends GenServerException {

    public RemoteFailureException(ServerId serverId, RemoteCause cause) {
        super(serverId, "failed on the owning node: " + cause.getMessage(), cause);
    }

    /** The original exception's class name. */
    public String remoteClassName() {
        return ((RemoteCause) getCause()).className();
    }
}

package io.github.pgs;

/** A handler called its own server, which would wait for itself until the call timed out. */
public class SelfCallException extends GenServerException {

    public SelfCallException(ServerId serverId) {
        super(serverId, "a server cannot call itself (it handles one message at a time)");
    }
}

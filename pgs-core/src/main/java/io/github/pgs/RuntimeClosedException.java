package io.github.pgs;

/** The runtime is closed (or closing) and accepts no more messages. */
public class RuntimeClosedException extends GenServerException {

    public RuntimeClosedException(ServerId serverId) {
        super(serverId, "runtime is closed");
    }
}

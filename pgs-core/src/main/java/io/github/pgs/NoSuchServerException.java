package io.github.pgs;

/** An ephemeral server is not running (it stopped or crashed), so there is nobody to take the message. */
public class NoSuchServerException extends GenServerException {

    public NoSuchServerException(ServerId serverId) {
        super(serverId, "no such server (ephemeral servers are gone once they stop)");
    }
}

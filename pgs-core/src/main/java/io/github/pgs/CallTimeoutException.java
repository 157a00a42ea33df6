package io.github.pgs;

import java.time.Duration;

/** A call got no reply within its timeout. The request may still be handled later. */
public class CallTimeoutException extends GenServerException {

    private final Duration timeout;

    public CallTimeoutException(ServerId serverId, Duration timeout) {
        super(serverId, "no reply within " + timeout.toMillis() + " ms");
        this.timeout = timeout;
    }

    public Duration timeout() {
        return timeout;
    }
}

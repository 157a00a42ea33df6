package io.github.pgs;

/**
 * A value could not be encoded, or stored bytes could not be decoded as the expected type. When stored state
 * does not decode, the server is quarantined and the stored bytes are left untouched.
 */
public class CodecException extends GenServerException {

    public CodecException(ServerId serverId, String message, Throwable cause) {
        super(serverId, message, cause);
    }

    public CodecException(String message, Throwable cause) {
        super(null, message, cause);
    }
}

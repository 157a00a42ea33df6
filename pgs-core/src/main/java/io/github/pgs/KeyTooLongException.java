package io.github.pgs;

/** A server key is longer than the runtime's {@code maxKeyBytes} (UTF-8); no ref was made. */
public class KeyTooLongException extends GenServerException {

    private final int size;
    private final int limit;

    public KeyTooLongException(String type, int size, int limit) {
        super(null, "key of type " + type + " has " + size + " bytes, over the limit of " + limit + " bytes");
        this.size = size;
        this.limit = limit;
    }

    public int size() {
        return size;
    }

    public int limit() {
        return limit;
    }
}

package io.github.pgs;

/** A server key is longer than the runtime's {@code maxKeyBytes} (UTF-8); no ref was made. */
public class KeyTooLongException extends GenServerException {

    private final String typeName;
    private final int size;
    private final int limit;

    public KeyTooLongException(String type, int size, int limit) {
        super(null, "key of type " + type + " has " + size + " bytes, over the limit of " + limit + " bytes");
        this.typeName = type;
        this.size = size;
        this.limit = limit;
    }

    /** The type whose key is too long. */
    public String typeName() {
        return typeName;
    }

    public int size() {
        return size;
    }

    public int limit() {
        return limit;
    }
}

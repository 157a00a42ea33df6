package io.github.pgs;

/** An encoded state is larger than the type's {@code maxStateBytes}; it was refused, nothing was written. */
public class StateTooLargeException extends GenServerException {

    private final int size;
    private final int limit;

    public StateTooLargeException(ServerId serverId, int size, int limit) {
        super(serverId, "encoded state of " + size + " bytes exceeds the limit of " + limit + " bytes");
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

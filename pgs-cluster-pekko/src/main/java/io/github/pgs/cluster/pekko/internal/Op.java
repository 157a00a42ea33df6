package io.github.pgs.cluster.pekko.internal;

/**
 * What a {@link Deliver} asks the owning node to do with a server. The codes are the wire encoding and never
 * change meaning.
 */
public enum Op {
    /** A request through {@code ServerRef.call}; the reply travels back. */
    CALL(1),
    /** A message to {@code handleCast}. */
    CAST(2),
    /** A message to {@code handleInfo}. */
    INFO(3),
    /** A stop with a reason; answered once the server has stopped. */
    STOP(4),
    /** Activate (start, eager restart, recovery); answered once active. */
    START(5),
    /** Wake a petrified server whose durable reminders are due. */
    REMIND(6),
    /** Delete the stored state of a server whose time to live passed, if it is not active. */
    EXPIRE(7);

    private final int code;

    Op(int code) {
        this.code = code;
    }

    /** The wire code. */
    public int code() {
        return code;
    }

    /**
     * The op with wire code {@code code}.
     *
     * @throws IllegalArgumentException for an unknown code (a newer peer, or corrupt bytes)
     */
    public static Op ofCode(int code) {
        for (Op op : values()) {
            if (op.code == code) {
                return op;
            }
        }
        throw new IllegalArgumentException("unknown operation code " + code);
    }
}

package io.github.pgs.placement;

/**
 * The owner's answer to an asking {@link WireMessage}: a value (possibly {@code null}) or an error. Written and read
 * by {@link WireFormat}.
 *
 * @param value the encoded value ({@code null}: no value, or a {@code null} reply)
 * @param error the failure, or {@code null} on success
 * @param local the reply object itself while the reply has not left its JVM ({@code null} after decoding, never
 *              written): lets the sender skip the decode
 */
public record WireReply(byte[] value, WireError error, Object local) {

    /** A success without a value. */
    public static final WireReply DONE = new WireReply(null, null, null);

    /** A success carrying {@code value} (and, in the same JVM, the object it encodes). */
    public static WireReply ok(byte[] value, Object local) {
        return new WireReply(value, null, local);
    }

    /** A failure. */
    public static WireReply failed(WireError error) {
        return new WireReply(null, java.util.Objects.requireNonNull(error, "error"), null);
    }

    public boolean failed() {
        return error != null;
    }

    /** The same reply without its local object, as it is after crossing nodes. */
    public WireReply withoutLocal() {
        return new WireReply(value, error, null);
    }

    @Override
    public String toString() {
        return error != null ? "WireReply[" + error + "]"
                : "WireReply[" + (value == null ? "no value" : value.length + " bytes") + "]";
    }
}

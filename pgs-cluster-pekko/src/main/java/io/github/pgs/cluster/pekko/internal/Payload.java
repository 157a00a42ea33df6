package io.github.pgs.cluster.pekko.internal;

import java.util.Objects;

/**
 * A message or reply as it crosses nodes: the codec's bytes and, for messages, the name of the class to decode
 * them as (checked against {@link MessageTypes} before any class is loaded). While the payload has not left the
 * JVM that made it, {@code local} still holds the original object, so a delivery to a server on the same node
 * skips decoding; the serializer never writes it.
 *
 * @param className the declared class of the value ({@code ""} when the receiver knows the type, as for replies)
 * @param bytes     the codec's encoding
 * @param local     the value itself, or {@code null} once deserialized
 */
public record Payload(String className, byte[] bytes, Object local) {

    public Payload {
        Objects.requireNonNull(className, "className");
        Objects.requireNonNull(bytes, "bytes");
    }

    /** The same payload without the local object, as the receiving node sees it. */
    public Payload remote() {
        return local == null ? this : new Payload(className, bytes, null);
    }

    @Override
    public String toString() {
        return "Payload[" + className + ", " + bytes.length + " bytes]";
    }
}

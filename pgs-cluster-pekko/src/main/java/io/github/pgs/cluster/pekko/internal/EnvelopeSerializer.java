package io.github.pgs.cluster.pekko.internal;

import io.github.pgs.CodecException;
import io.github.pgs.placement.WireFormat;
import io.github.pgs.placement.WireMessage;
import io.github.pgs.placement.WireReply;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializerWithStringManifest;

import java.io.NotSerializableException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Pekko's serializer for {@link ClusterEnvelope}s, never Java serialization: the runtime's own
 * {@link WireFormat} frames the message or reply (already bytes of the runtime's codec), and this class adds the
 * reply address (Pekko's textual actor reference) in front.
 *
 * <p>Layout: {@code D} (Deliver): version (u8), reply address (int byte count then UTF-8, {@code -1} for none),
 * then {@link WireFormat#encode(WireMessage)} with the caller's time left as it is when the frame is written.
 * {@code R} (Reply): version (u8), then {@link WireFormat#encode(WireReply)}.
 *
 * <p>Hazards: lengths are checked against the bytes left before anything is allocated; the reply address must be
 * valid UTF-8; {@link WireFormat} refuses truncated, oversized, unknown or trailing content. Every refusal is a
 * {@link NotSerializableException} (Pekko then drops that one message, and the caller's deadline answers it).
 */
public final class EnvelopeSerializer extends SerializerWithStringManifest {

    static final int VERSION = 1;
    static final String DELIVER = "D";
    static final String REPLY = "R";
    /** The longest reply address read (Pekko's addresses are far shorter). */
    static final int MAX_ADDRESS_BYTES = 4_096;

    private final ExtendedActorSystem system;
    private volatile ActorRefResolver resolver;

    /** Called by Pekko with the actor system it serializes for. */
    public EnvelopeSerializer(ExtendedActorSystem system) {
        this.system = system;
    }

    @Override
    public int identifier() {
        return PekkoConfig.SERIALIZER_ID;
    }

    @Override
    public String manifest(Object o) {
        return switch (o) {
            case Deliver d -> DELIVER;
            case Reply r -> REPLY;
            default -> throw new IllegalArgumentException("not a cluster envelope: " + o.getClass().getName());
        };
    }

    @Override
    public byte[] toBinary(Object o) {
        return switch (o) {
            case Deliver d -> {
                byte[] address = d.replyTo() == null ? null
                        : resolver().toSerializationFormat(d.replyTo()).getBytes(StandardCharsets.UTF_8);
                byte[] body = WireFormat.encode(d.current());
                ByteBuffer out = ByteBuffer.allocate(1 + 4 + (address == null ? 0 : address.length) + body.length);
                out.put((byte) VERSION);
                out.putInt(address == null ? -1 : address.length);
                if (address != null) {
                    out.put(address);
                }
                yield out.put(body).array();
            }
            case Reply r -> {
                byte[] body = WireFormat.encode(r.reply());
                yield ByteBuffer.allocate(1 + body.length).put((byte) VERSION).put(body).array();
            }
            default -> throw new IllegalArgumentException("not a cluster envelope: " + o.getClass().getName());
        };
    }

    @Override
    public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            int version = in.get() & 0xFF;
            if (version != VERSION) {
                throw new NotSerializableException("cluster envelope version " + version + " (this node reads "
                        + VERSION + ")");
            }
            return switch (manifest) {
                case DELIVER -> {
                    String address = readAddress(in);
                    WireMessage m = WireFormat.decodeMessage(rest(in));
                    ActorRef<Reply> replyTo = address == null ? null : resolver().resolveActorRef(address);
                    yield new Deliver(m, replyTo, System.nanoTime());
                }
                case REPLY -> new Reply(WireFormat.decodeReply(rest(in)));
                default -> throw new NotSerializableException("unknown cluster envelope manifest '" + manifest + "'");
            };
        } catch (BufferUnderflowException e) {
            throw new NotSerializableException("truncated cluster envelope (" + manifest + ", " + bytes.length
                    + " bytes)");
        } catch (CodecException | IllegalArgumentException e) {
            NotSerializableException n = new NotSerializableException("malformed cluster envelope: "
                    + e.getMessage());
            n.initCause(e);
            throw n;
        }
    }

    private static String readAddress(ByteBuffer in) throws NotSerializableException {
        int n = in.getInt();
        if (n == -1) {
            return null;
        }
        if (n < 0 || n > MAX_ADDRESS_BYTES || n > in.remaining()) {
            throw new NotSerializableException("reply address length " + n + " with " + in.remaining()
                    + " bytes left");
        }
        byte[] b = new byte[n];
        in.get(b);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new NotSerializableException("the reply address of a cluster envelope is not valid UTF-8");
        }
    }

    private static byte[] rest(ByteBuffer in) {
        byte[] b = new byte[in.remaining()];
        in.get(b);
        return b;
    }

    private ActorRefResolver resolver() {
        ActorRefResolver r = resolver;
        if (r == null) {
            r = ActorRefResolver.get(Adapter.toTyped(system));
            resolver = r;
        }
        return r;
    }
}

package io.github.pgs.cluster.pekko.internal;

import io.github.pgs.ServerId;
import io.github.pgs.placement.WireError;
import io.github.pgs.placement.WireMessage;
import io.github.pgs.placement.WireReply;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializerWithStringManifest;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Pekko's serializer for {@link ClusterEnvelope}s: a small versioned binary layout of our own, never Java
 * serialization. Messages and replies inside are already bytes of the runtime's codec; this class frames them
 * together with the reply address (Pekko's own textual actor reference).
 *
 * <p>Layout (integers big-endian; {@code str} is an {@code int} byte count then UTF-8, {@code -1} for none;
 * {@code blob} the same for raw bytes; {@code map} an {@code int} count then key/value {@code str} pairs):
 * <pre>
 * D (Deliver): version:u8 replyTo:str kind:str type:str key:str messageClass:str payload:blob
 *              timeLeftNanos:i64 headers:map
 * R (Reply):   version:u8 value:blob errorKind:str [server:str message:str fields:map]
 * </pre>
 * Kinds travel by name, so a reordered enum never changes meaning.
 *
 * <p>Hazards: every length read from the wire is checked against the bytes left before anything is allocated, so
 * a corrupt or hostile frame fails with {@link NotSerializableException} (Pekko then drops that one message) instead
 * of exhausting memory; strings must be valid UTF-8; a frame of a newer version is refused rather than misread;
 * trailing bytes are an error.
 */
public final class EnvelopeSerializer extends SerializerWithStringManifest {

    static final int VERSION = 1;
    static final String DELIVER = "D";
    static final String REPLY = "R";
    /** Headers beyond this count are refused (they carry trace context, a handful of entries). */
    static final int MAX_HEADERS = 64;

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
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            switch (o) {
                case Deliver d -> writeDeliver(out, d);
                case Reply r -> writeReply(out, r.reply());
                default -> throw new IllegalArgumentException("not a cluster envelope: " + o.getClass().getName());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not throw
        }
        return bytes.toByteArray();
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
            Object result = switch (manifest) {
                case DELIVER -> readDeliver(in);
                case REPLY -> new Reply(readReply(in));
                default -> throw new NotSerializableException("unknown cluster envelope manifest '" + manifest + "'");
            };
            if (in.hasRemaining()) {
                throw new NotSerializableException(in.remaining() + " trailing bytes after a cluster envelope");
            }
            return result;
        } catch (BufferUnderflowException e) {
            throw new NotSerializableException("truncated cluster envelope (" + manifest + ", " + bytes.length
                    + " bytes)");
        } catch (IllegalArgumentException e) {
            NotSerializableException n = new NotSerializableException("malformed cluster envelope: "
                    + e.getMessage());
            n.initCause(e);
            throw n;
        }
    }

    // ---------------------------------------------------------------- writing

    private void writeDeliver(DataOutputStream out, Deliver d) throws IOException {
        WireMessage m = d.message();
        writeString(out, d.replyTo() == null ? null : resolver().toSerializationFormat(d.replyTo()));
        writeString(out, m.kind().name());
        writeString(out, m.target().type());
        writeString(out, m.target().key());
        writeString(out, m.messageClass());
        writeBlob(out, m.payload());
        out.writeLong(d.remainingNanos());
        writeMap(out, m.headers());
    }

    private static void writeReply(DataOutputStream out, WireReply r) throws IOException {
        writeBlob(out, r.value());
        WireError e = r.error();
        if (e == null) {
            writeString(out, null);
            return;
        }
        writeString(out, e.kind());
        writeString(out, e.server());
        writeString(out, e.message());
        writeMap(out, e.fields());
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        writeBlob(out, s == null ? null : s.getBytes(StandardCharsets.UTF_8));
    }

    private static void writeBlob(DataOutputStream out, byte[] b) throws IOException {
        if (b == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(b.length);
        out.write(b);
    }

    private static void writeMap(DataOutputStream out, Map<String, String> m) throws IOException {
        if (m == null) {
            out.writeInt(0);
            return;
        }
        out.writeInt(m.size());
        for (Map.Entry<String, String> e : m.entrySet()) {
            writeString(out, e.getKey());
            writeString(out, e.getValue());
        }
    }

    // ---------------------------------------------------------------- reading

    private Deliver readDeliver(ByteBuffer in) throws NotSerializableException {
        String replyTo = readString(in);
        WireMessage.Kind kind;
        String kindName = required(readString(in), "kind");
        try {
            kind = WireMessage.Kind.valueOf(kindName);
        } catch (IllegalArgumentException e) {
            throw new NotSerializableException("unknown message kind '" + kindName + "'");
        }
        String type = required(readString(in), "server type");
        String key = required(readString(in), "server key");
        String messageClass = readString(in);
        byte[] payload = readBlob(in);
        long timeLeft = in.getLong();
        Map<String, String> headers = readMap(in);
        ActorRef<Reply> ref = replyTo == null ? null : resolver().resolveActorRef(replyTo);
        WireMessage m = new WireMessage(kind, new ServerId(type, key), messageClass, payload, timeLeft, headers);
        return new Deliver(m, ref, System.nanoTime());
    }

    private static WireReply readReply(ByteBuffer in) throws NotSerializableException {
        byte[] value = readBlob(in);
        String errorKind = readString(in);
        if (errorKind == null) {
            return new WireReply(value, null);
        }
        String server = readString(in);
        String message = readString(in);
        Map<String, String> fields = readMap(in);
        return new WireReply(value, new WireError(errorKind, server, message, fields));
    }

    private static Map<String, String> readMap(ByteBuffer in) throws NotSerializableException {
        int n = in.getInt();
        if (n < 0 || n > MAX_HEADERS) {
            throw new NotSerializableException("map of " + n + " entries (at most " + MAX_HEADERS + ")");
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            m.put(required(readString(in), "map key"), required(readString(in), "map value"));
        }
        return Map.copyOf(m);
    }

    private static byte[] readBlob(ByteBuffer in) throws NotSerializableException {
        int n = in.getInt();
        if (n == -1) {
            return null;
        }
        if (n < 0 || n > in.remaining()) {
            throw new NotSerializableException("length " + n + " with " + in.remaining() + " bytes left");
        }
        byte[] b = new byte[n];
        in.get(b);
        return b;
    }

    private static String readString(ByteBuffer in) throws NotSerializableException {
        byte[] b = readBlob(in);
        if (b == null) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new NotSerializableException("a string of a cluster envelope is not valid UTF-8");
        }
    }

    private static String required(String s, String what) throws NotSerializableException {
        if (s == null) {
            throw new NotSerializableException("missing " + what);
        }
        return s;
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

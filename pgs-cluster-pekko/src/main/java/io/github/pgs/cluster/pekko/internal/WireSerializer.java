package io.github.pgs.cluster.pekko.internal;

import io.github.pgs.ServerId;
import io.github.pgs.StopReason;
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
import java.nio.ByteBuffer;
import java.nio.BufferUnderflowException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Pekko's serializer for {@link WireMessage}s: a small versioned binary layout of our own (never Java
 * serialization). Messages and replies inside are already bytes of the runtime's codec ({@link Payload}); this
 * class only frames them, with the reply address as Pekko's own textual actor reference.
 *
 * <p>Layout (all integers big-endian; a string is an {@code int} byte count then UTF-8, {@code -1} for none):
 * <pre>
 * D (Deliver): version:u8 type:str key:str op:u8 hasMessage:u8 [class:str bytes:blob] hasReason:u8
 *              [kind:u8 detail:str] timeoutMillis:i64 replyTo:str
 * O (Ok):      version:u8 hasReply:u8 [class:str bytes:blob]
 * F (Failed):  version:u8 kind:str server:str message:str first:i64 second:i64 text:str
 * </pre>
 *
 * <p>Hazards: every length read from the wire is checked against what is left before allocating, so a corrupt
 * or hostile frame fails with {@link NotSerializableException} instead of exhausting memory; strings must be valid
 * UTF-8. A frame with a higher version than ours is refused rather than misread.
 */
public final class WireSerializer extends SerializerWithStringManifest {

    static final int VERSION = 1;
    static final String DELIVER = "D";
    static final String OK = "O";
    static final String FAILED = "F";

    private final ExtendedActorSystem system;
    private volatile ActorRefResolver resolver;

    /** Called by Pekko with the actor system it serializes for. */
    public WireSerializer(ExtendedActorSystem system) {
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
            case Outcome.Ok ok -> OK;
            case Outcome.Failed f -> FAILED;
            default -> throw new IllegalArgumentException("not a wire message: " + o.getClass().getName());
        };
    }

    @Override
    public byte[] toBinary(Object o) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            switch (o) {
                case Deliver d -> writeDeliver(out, d);
                case Outcome.Ok ok -> writePayload(out, ok.reply());
                case Outcome.Failed f -> writeError(out, f.error());
                default -> throw new IllegalArgumentException("not a wire message: " + o.getClass().getName());
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
                throw new NotSerializableException("wire message version " + version + " (this node reads "
                        + VERSION + ")");
            }
            Object result = switch (manifest) {
                case DELIVER -> readDeliver(in);
                case OK -> new Outcome.Ok(readPayload(in));
                case FAILED -> new Outcome.Failed(readError(in));
                default -> throw new NotSerializableException("unknown wire manifest '" + manifest + "'");
            };
            if (in.hasRemaining()) {
                throw new NotSerializableException(in.remaining() + " trailing bytes after a wire message");
            }
            return result;
        } catch (BufferUnderflowException e) {
            throw new NotSerializableException("truncated wire message (" + manifest + ", " + bytes.length
                    + " bytes)");
        } catch (IllegalArgumentException e) {
            NotSerializableException n = new NotSerializableException("malformed wire message: " + e.getMessage());
            n.initCause(e);
            throw n;
        }
    }

    // ---------------------------------------------------------------- writing

    private void writeDeliver(DataOutputStream out, Deliver d) throws IOException {
        writeString(out, d.id().type());
        writeString(out, d.id().key());
        out.writeByte(d.op().code());
        writePayload(out, d.message());
        if (d.reason() == null) {
            out.writeByte(0);
        } else {
            out.writeByte(1);
            out.writeByte(d.reason().kind().ordinal());
            writeString(out, d.reason().detail());
        }
        out.writeLong(d.timeoutMillis());
        writeString(out, d.replyTo() == null ? null : resolver().toSerializationFormat(d.replyTo()));
    }

    private static void writePayload(DataOutputStream out, Payload p) throws IOException {
        if (p == null) {
            out.writeByte(0);
            return;
        }
        out.writeByte(1);
        writeString(out, p.className());
        out.writeInt(p.bytes().length);
        out.write(p.bytes());
    }

    private static void writeError(DataOutputStream out, RemoteError e) throws IOException {
        writeString(out, e.kind());
        writeString(out, e.serverId());
        writeString(out, e.message());
        out.writeLong(e.first());
        out.writeLong(e.second());
        writeString(out, e.text());
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    // ---------------------------------------------------------------- reading

    private Deliver readDeliver(ByteBuffer in) throws NotSerializableException {
        String type = required(readString(in), "server type");
        String key = required(readString(in), "server key");
        Op op = Op.ofCode(in.get() & 0xFF);
        Payload message = readPayload(in);
        StopReason reason = null;
        if (flag(in)) {
            StopReason.Kind[] kinds = StopReason.Kind.values();
            int k = in.get() & 0xFF;
            if (k >= kinds.length) {
                throw new NotSerializableException("unknown stop kind " + k);
            }
            reason = new StopReason(kinds[k], required(readString(in), "stop detail"), null);
        }
        long timeout = in.getLong();
        String replyTo = readString(in);
        ActorRef<Outcome> ref = replyTo == null ? null : resolver().resolveActorRef(replyTo);
        return new Deliver(new ServerId(type, key), op, message, reason, timeout, ref);
    }

    private static Payload readPayload(ByteBuffer in) throws NotSerializableException {
        if (!flag(in)) {
            return null;
        }
        String className = required(readString(in), "payload class");
        int n = in.getInt();
        if (n < 0 || n > in.remaining()) {
            throw new NotSerializableException("payload length " + n + " with " + in.remaining() + " bytes left");
        }
        byte[] b = new byte[n];
        in.get(b);
        return new Payload(className, b, null);
    }

    private static RemoteError readError(ByteBuffer in) throws NotSerializableException {
        String kind = required(readString(in), "error kind");
        String server = required(readString(in), "error server");
        String message = required(readString(in), "error message");
        long first = in.getLong();
        long second = in.getLong();
        String text = required(readString(in), "error text");
        return new RemoteError(kind, server, message, first, second, text);
    }

    private static boolean flag(ByteBuffer in) throws NotSerializableException {
        int f = in.get();
        if (f != 0 && f != 1) {
            throw new NotSerializableException("bad presence flag " + f);
        }
        return f == 1;
    }

    private static String readString(ByteBuffer in) throws NotSerializableException {
        int n = in.getInt();
        if (n == -1) {
            return null;
        }
        if (n < 0 || n > in.remaining()) {
            throw new NotSerializableException("string length " + n + " with " + in.remaining() + " bytes left");
        }
        ByteBuffer slice = in.slice(in.position(), n);
        in.position(in.position() + n);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(slice).toString();
        } catch (CharacterCodingException e) {
            throw new NotSerializableException("a string of a wire message is not valid UTF-8");
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

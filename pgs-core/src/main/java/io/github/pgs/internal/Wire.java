package io.github.pgs.internal;

import io.github.pgs.Call;
import io.github.pgs.CodecException;
import io.github.pgs.GenServerException;
import io.github.pgs.MessageNotDeclaredException;
import io.github.pgs.ServerId;
import io.github.pgs.StopReason;
import io.github.pgs.placement.WireMessage;
import io.github.pgs.placement.WireReply;
import io.github.pgs.spi.RefResolver;
import io.github.pgs.spi.StateCodec;

import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * What crosses nodes, in the runtime's own terms: messages encoded by its {@link StateCodec} on the sender and
 * decoded on the owner, replies the other way, and the small payloads of the runtime's own kinds (stop reasons,
 * start flags, expiry). Nothing here is Java serialization, and no class is ever loaded by a name from the wire.
 *
 * <h2>Hazards</h2>
 * The sender checks everything it can before sending, so a message that cannot cross nodes fails at the sender
 * with a typed error, whichever node owns the server: the message's class must be declared by the type
 * ({@link MessageTypes}), a call's reply type ({@code R} of {@code Call<R>}) must be concrete, and the codec must
 * encode the message. The owner decodes a message only into a class the type declares, and a reply only into the
 * reply type the request declares.
 */
final class Wire {

    /** {@code START} flags. */
    static final int START_IF_NO_STATE = 1;
    static final int START_WITH_ARGS = 2;

    private final StateCodec codec;
    private final RefResolver refs;

    Wire(StateCodec codec, RefResolver refs) {
        this.codec = codec;
        this.refs = refs;
    }

    // ------------------------------------------------------------------------------------------ sender side

    WireMessage call(TypeRuntime<?, ?> t, ServerId id, Call<?> request, Duration timeout) {
        if (ReplyTypes.declared(request.getClass()) == null) {
            throw new CodecException(id, "the request " + request.getClass().getName() + " declares no concrete reply "
                    + "type (the R of Call<R> is a type variable), so its reply cannot cross nodes", null);
        }
        return message(WireMessage.Kind.CALL, t, id, request, timeout);
    }

    WireMessage cast(TypeRuntime<?, ?> t, ServerId id, Object message, boolean info) {
        return message(info ? WireMessage.Kind.INFO : WireMessage.Kind.CAST, t, id, message, Duration.ZERO);
    }

    private WireMessage message(WireMessage.Kind kind, TypeRuntime<?, ?> t, ServerId id, Object message,
                                Duration timeout) {
        Class<?> c = message.getClass();
        if (t.messageClass(c.getName()) != c) {
            throw new MessageNotDeclaredException(t.name(), c.getName());
        }
        return new WireMessage(kind, id, c.getName(), encode(id, message, c), nanos(timeout), Map.of(), message);
    }

    /** A message of the runtime's own kinds. */
    static WireMessage control(WireMessage.Kind kind, ServerId id, byte[] payload, Duration timeout) {
        return new WireMessage(kind, id, "", payload, nanos(timeout), Map.of(), null);
    }

    WireMessage start(TypeRuntime<?, ?> t, ServerId id, Object args, boolean ifNoState, Duration timeout) {
        byte[] encodedArgs = args == null ? new byte[0] : encode(id, args, t.spec().argsType());
        ByteBuffer b = ByteBuffer.allocate(1 + encodedArgs.length);
        b.put((byte) ((ifNoState ? START_IF_NO_STATE : 0) | (args != null ? START_WITH_ARGS : 0)));
        b.put(encodedArgs);
        return control(WireMessage.Kind.START, id, b.array(), timeout);
    }

    static byte[] stopPayload(StopReason r) {
        byte[] detail = r.detail().getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + detail.length).put((byte) r.kind().ordinal()).put(detail).array();
    }

    /** The reply of a call, as the request declares it ({@code R} of {@code Call<R>}); rethrows a failure. */
    @SuppressWarnings("unchecked")
    <R> R reply(WireReply r, Call<R> request, ServerId id) {
        check(r, id);
        if (r.local() != null) {
            return (R) r.local();
        }
        if (r.value() == null) {
            return null;
        }
        Object value = decode(id, r.value(), ReplyTypes.declared(request.getClass()));
        return (R) value;
    }

    /** Rethrows the failure {@code r} carries, as the exception of the family the owner threw. */
    static void check(WireReply r, ServerId id) {
        if (r.failed()) {
            throw WireErrors.fromWire(r.error(), id);
        }
    }

    // ------------------------------------------------------------------------------------------ owner side

    /** The message {@code m} carries: its local object, or its payload decoded as a class the type declares. */
    Object message(TypeRuntime<?, ?> t, WireMessage m) {
        if (m.local() != null) {
            return m.local();
        }
        Class<?> c = t.messageClass(m.messageClass());
        if (c == null) {
            throw new MessageNotDeclaredException(t.name(), m.messageClass());
        }
        return decode(m.target(), m.payload(), c);
    }

    /** The init arguments of a {@code START}, or {@code null} (rebuilt from the key). */
    Object startArgs(TypeRuntime<?, ?> t, WireMessage m) {
        byte[] p = m.payload();
        if (p.length == 0 || (p[0] & START_WITH_ARGS) == 0) {
            return null;
        }
        byte[] args = new byte[p.length - 1];
        System.arraycopy(p, 1, args, 0, args.length);
        return decode(m.target(), args, t.spec().argsType());
    }

    static boolean startIfNoState(WireMessage m) {
        return m.payload().length > 0 && (m.payload()[0] & START_IF_NO_STATE) != 0;
    }

    static StopReason stopReason(WireMessage m) {
        byte[] p = m.payload();
        if (p.length < 1 || p[0] < 0 || p[0] >= StopReason.Kind.values().length) {
            throw new CodecException(m.target(), "a stop without a valid reason", null);
        }
        return new StopReason(StopReason.Kind.values()[p[0]], new String(p, 1, p.length - 1, StandardCharsets.UTF_8),
                null);
    }

    /** The reply to {@code request}: {@code value} encoded as the reply type the request declares. */
    WireReply reply(ServerId id, Call<?> request, Object value) {
        if (value == null) {
            return WireReply.DONE;
        }
        return WireReply.ok(encode(id, value, ReplyTypes.declared(request.getClass())), value);
    }

    static WireReply failure(Throwable t) {
        Throwable cause = t instanceof java.util.concurrent.CompletionException && t.getCause() != null
                ? t.getCause() : t;
        return WireReply.failed(WireErrors.toWire(cause));
    }

    // ------------------------------------------------------------------------------------------ codec

    private byte[] encode(ServerId id, Object value, Type type) {
        try {
            return codec.encode(value, type);
        } catch (GenServerException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CodecException(id, "could not encode a " + value.getClass().getName() + " to cross nodes: "
                    + e.getClass().getName(), e);
        }
    }

    private Object decode(ServerId id, byte[] bytes, Type type) {
        try {
            return codec.decode(bytes, type, refs);
        } catch (GenServerException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CodecException(id, "could not decode a " + type.getTypeName() + " that crossed nodes: "
                    + e.getClass().getName(), e);
        }
    }

    static long nanos(Duration d) {
        try {
            return Math.max(0, d.toNanos());
        } catch (ArithmeticException overflow) {
            return Long.MAX_VALUE;
        }
    }
}

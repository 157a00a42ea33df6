package io.github.pgs.placement;

import io.github.pgs.CodecException;
import io.github.pgs.ServerId;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The bytes of {@link WireMessage} and {@link WireReply}, for an engine's serializer: a small, versioned binary
 * framing (big-endian), never Java serialization. The {@code local} objects are never written.
 *
 * <p>Reading is bounded and strict: every length is checked against a limit before anything is allocated
 * ({@link #MAX_PAYLOAD_BYTES}, {@link #MAX_TEXT_BYTES}, {@link #MAX_ENTRIES}), an unknown format or kind, a
 * truncated frame or trailing bytes fail with {@link CodecException}, which names the problem and never quotes
 * the bytes.
 *
 * <p>Message: {@code 'M'}, format {@value #FORMAT}, kind (byte), type (text), key (bytes), message class (text),
 * payload (bytes), time left (long), headers (count, then text pairs). Reply: {@code 'R'}, format, status (byte:
 * 0 no value, 1 value, 2 error), then the value (bytes) or the error (kind, server, message as text; fields as a
 * count and text pairs). Text is a length ({@code int}) and UTF-8 bytes; bytes are a length and the bytes.
 */
public final class WireFormat {

    /** The format version this class writes and reads. */
    public static final int FORMAT = 1;
    /** The largest payload or value read: 64 MiB. */
    public static final int MAX_PAYLOAD_BYTES = 64 << 20;
    /** The longest text read: 64 KiB of UTF-8. */
    public static final int MAX_TEXT_BYTES = 64 << 10;
    /** The most headers or error fields read. */
    public static final int MAX_ENTRIES = 64;

    private static final byte MESSAGE = 'M';
    private static final byte REPLY = 'R';

    private WireFormat() {
    }

    /** The bytes of {@code m} (without its local object). */
    public static byte[] encode(WireMessage m) {
        return write(out -> {
            out.writeByte(MESSAGE);
            out.writeByte(FORMAT);
            out.writeByte(m.kind().ordinal());
            text(out, m.target().type());
            bytes(out, ServerId.encodeKey(m.target().key()));
            text(out, m.messageClass());
            bytes(out, m.payload());
            out.writeLong(m.timeLeftNanos());
            entries(out, m.headers());
        });
    }

    /**
     * The message {@code bytes} hold.
     *
     * @throws CodecException if they are not a message of this format, or break a limit
     */
    public static WireMessage decodeMessage(byte[] bytes) {
        return read(bytes, "message", in -> {
            header(in, MESSAGE, "message");
            int kind = in.readUnsignedByte();
            if (kind >= WireMessage.Kind.values().length) {
                throw new CodecException("unknown message kind " + kind, null);
            }
            String type = text(in);
            byte[] key = bytes(in, MAX_TEXT_BYTES);
            ServerId target;
            try {
                target = new ServerId(type, ServerId.decodeKey(key));
            } catch (IllegalArgumentException e) {
                throw new CodecException("the message's target is not a server id: " + e.getMessage(), null);
            }
            String messageClass = text(in);
            byte[] payload = bytes(in, MAX_PAYLOAD_BYTES);
            long timeLeft = in.readLong();
            if (timeLeft < 0) {
                throw new CodecException("negative time left in a message", null);
            }
            Map<String, String> headers = entries(in);
            return new WireMessage(WireMessage.Kind.values()[kind], target, messageClass, payload, timeLeft, headers,
                    null);
        });
    }

    /** The bytes of {@code r} (without its local object). */
    public static byte[] encode(WireReply r) {
        return write(out -> {
            out.writeByte(REPLY);
            out.writeByte(FORMAT);
            if (r.error() != null) {
                out.writeByte(2);
                text(out, r.error().kind());
                text(out, r.error().server());
                text(out, r.error().message());
                entries(out, r.error().fields());
            } else if (r.value() != null) {
                out.writeByte(1);
                bytes(out, r.value());
            } else {
                out.writeByte(0);
            }
        });
    }

    /**
     * The reply {@code bytes} hold.
     *
     * @throws CodecException if they are not a reply of this format, or break a limit
     */
    public static WireReply decodeReply(byte[] bytes) {
        return read(bytes, "reply", in -> {
            header(in, REPLY, "reply");
            int status = in.readUnsignedByte();
            return switch (status) {
                case 0 -> WireReply.DONE;
                case 1 -> WireReply.ok(bytes(in, MAX_PAYLOAD_BYTES), null);
                case 2 -> WireReply.failed(new WireError(text(in), text(in), text(in), entries(in)));
                default -> throw new CodecException("unknown reply status " + status, null);
            };
        });
    }

    // ------------------------------------------------------------------------------------------------ framing

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    private static byte[] write(Writer w) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            w.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array stream does not fail
        }
        return bytes.toByteArray();
    }

    private static <T> T read(byte[] bytes, String what, Reader<T> r) {
        if (bytes == null) {
            throw new CodecException("no bytes for a " + what, null);
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            T t = r.read(in);
            if (in.available() > 0) {
                throw new CodecException(in.available() + " trailing bytes after a " + what, null);
            }
            return t;
        } catch (IOException e) {
            throw new CodecException("a truncated " + what + " (" + bytes.length + " bytes)", null);
        }
    }

    private static void header(DataInputStream in, byte expected, String what) throws IOException {
        byte tag = in.readByte();
        int format = in.readUnsignedByte();
        if (tag != expected) {
            throw new CodecException("not a " + what + " frame", null);
        }
        if (format != FORMAT) {
            throw new CodecException("a " + what + " in format " + format + "; this runtime reads format " + FORMAT,
                    null);
        }
    }

    private static void text(DataOutputStream out, String s) throws IOException {
        bytes(out, s.getBytes(StandardCharsets.UTF_8));
    }

    private static void bytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static String text(DataInputStream in) throws IOException {
        return new String(bytes(in, MAX_TEXT_BYTES), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(DataInputStream in, int max) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > max) {
            throw new CodecException("a length of " + n + " bytes is out of range (0 to " + max + ")", null);
        }
        if (n > in.available()) {
            throw new IOException("truncated");
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    private static void entries(DataOutputStream out, Map<String, String> entries) throws IOException {
        out.writeInt(entries.size());
        for (Map.Entry<String, String> e : entries.entrySet()) {
            text(out, e.getKey());
            text(out, e.getValue());
        }
    }

    private static Map<String, String> entries(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_ENTRIES) {
            throw new CodecException("a count of " + n + " entries is out of range (0 to " + MAX_ENTRIES + ")", null);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            out.put(text(in), text(in));
        }
        return out;
    }
}

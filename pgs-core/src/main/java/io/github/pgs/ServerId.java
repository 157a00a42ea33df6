package io.github.pgs;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The identity of a server: its type name and its key. This is all that identifies stored state; options
 * (timeouts, write mode, policies) are never part of it.
 *
 * <p>The string form is {@code type:key} with the key percent-encoded (RFC 3986 unreserved characters stay as
 * they are), so it can be parsed back exactly, whatever the key holds. Type names are restricted to
 * {@code [A-Za-z0-9_.$-]}, 1 to 200 characters; keys may hold any characters.
 *
 * <p>Instances are immutable values; equality is by type and key.
 */
public record ServerId(String type, String key) {

    private static final Pattern TYPE_NAME = Pattern.compile("[A-Za-z0-9_.$-]{1,200}");
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    public ServerId {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(key, "key");
        if (!TYPE_NAME.matcher(type).matches()) {
            throw new IllegalArgumentException("type name must match [A-Za-z0-9_.$-]{1,200}: '" + type + "'");
        }
        requireWellFormed(key);
    }

    /** UTF-8 cannot hold an unpaired surrogate: two different keys would become the same stored key. */
    private static void requireWellFormed(String key) {
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < key.length() && Character.isLowSurrogate(key.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException("key contains an unpaired surrogate at index " + i);
            }
        }
    }

    /**
     * The UTF-8 form of {@code key}: what stores keep, order keys by and check limits against.
     *
     * @throws IllegalArgumentException if {@code key} holds an unpaired surrogate (it has no UTF-8 form)
     */
    public static byte[] encodeKey(String key) {
        requireWellFormed(Objects.requireNonNull(key, "key"));
        return key.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The key whose UTF-8 form is {@code utf8}; never a lossy decode.
     *
     * @throws IllegalArgumentException if the bytes are not valid UTF-8 (the message does not quote them)
     */
    public static String decodeKey(byte[] utf8) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(utf8)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("key of " + utf8.length + " bytes is not valid UTF-8");
        }
    }

    /**
     * Bytes written as in this class's text form: RFC 3986 unreserved ASCII characters as they are, every other
     * byte as {@code %XX}. Safe to print and log (no control characters, no spaces), and exact for any bytes.
     */
    public static String percentEncode(byte[] bytes) {
        StringBuilder out = new StringBuilder(bytes.length + 8);
        for (byte b : bytes) {
            int c = b & 0xFF;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        return out.toString();
    }

    /**
     * The bytes that {@link #percentEncode} wrote as {@code encoded} (other printable ASCII is taken as it is).
     *
     * @throws IllegalArgumentException if an escape is malformed or a character is not ASCII
     */
    public static byte[] percentDecode(String encoded) {
        byte[] out = new byte[encoded.length()];
        int n = 0;
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c == '%') {
                if (i + 2 >= encoded.length()) {
                    throw new IllegalArgumentException("truncated percent escape in server id key");
                }
                int hi = Character.digit(encoded.charAt(i + 1), 16);
                int lo = Character.digit(encoded.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException("bad percent escape in server id key");
                }
                out[n++] = (byte) ((hi << 4) | lo);
                i += 2;
            } else if (c < 0x80) {
                out[n++] = (byte) c;
            } else {
                throw new IllegalArgumentException("server id key must be percent-encoded ASCII");
            }
        }
        return Arrays.copyOf(out, n);
    }

    /** Whether {@code name} is a valid type name. */
    public static boolean isValidTypeName(String name) {
        return name != null && TYPE_NAME.matcher(name).matches();
    }

    /**
     * Parses the form produced by {@link #toString()}.
     *
     * @throws IllegalArgumentException if {@code text} is not of that form
     */
    public static ServerId parse(String text) {
        Objects.requireNonNull(text, "text");
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("not a server id (expected type:key): '" + abbreviate(text) + "'");
        }
        return new ServerId(text.substring(0, colon), decodeKey(percentDecode(text.substring(colon + 1))));
    }

    /** The key's size in bytes when encoded as UTF-8, which is what limits are checked against. */
    public int keyBytes() {
        return key.getBytes(StandardCharsets.UTF_8).length;
    }

    @Override
    public String toString() {
        return type + ':' + percentEncode(key.getBytes(StandardCharsets.UTF_8));
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}

package io.github.pgs;

import java.nio.charset.StandardCharsets;
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
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < key.length() && Character.isLowSurrogate(key.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                // UTF-8 cannot hold it: two different keys would become the same stored key
                throw new IllegalArgumentException("key contains an unpaired surrogate at index " + i);
            }
        }
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
        return new ServerId(text.substring(0, colon), decode(text.substring(colon + 1)));
    }

    /** The key's size in bytes when encoded as UTF-8, which is what limits are checked against. */
    public int keyBytes() {
        return key.getBytes(StandardCharsets.UTF_8).length;
    }

    @Override
    public String toString() {
        return type + ':' + encode(key);
    }

    private static String encode(String key) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
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

    private static String decode(String encoded) {
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
        return new String(out, 0, n, StandardCharsets.UTF_8);
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}

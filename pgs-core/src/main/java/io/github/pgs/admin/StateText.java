package io.github.pgs.admin;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Renders a stored payload for people without decoding it into objects: strict UTF-8, then a single-pass JSON
 * re-indenter, else hexadecimal.
 *
 * <p>The re-indenter is a recursive-descent recogniser for RFC 8259 JSON that copies every token as it is (strings
 * with their escapes, numbers with their digits, members in stored order) and changes only whitespace. Hazards:
 * deeply nested input would exhaust the stack, so nesting past {@link #MAX_DEPTH} counts as "not JSON" and the
 * text is shown unchanged; anything that is not exactly one JSON value (trailing data, raw control characters in
 * strings, bad escapes) is likewise shown as plain text rather than half-formatted.
 */
final class StateText {

    /** Deeper nesting is shown as plain text. */
    static final int MAX_DEPTH = 512;

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private StateText() {
    }

    /** The payload as strict UTF-8, or {@code null} if it is not valid UTF-8. */
    static String utf8(byte[] payload) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(payload))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** Lower-case hexadecimal, two digits per byte. */
    static String hex(byte[] payload) {
        char[] out = new char[payload.length * 2];
        for (int i = 0; i < payload.length; i++) {
            out[2 * i] = HEX[(payload[i] >> 4) & 0xF];
            out[2 * i + 1] = HEX[payload[i] & 0xF];
        }
        return new String(out);
    }

    /** {@code text} indented by two spaces per level, or {@code null} if it is not exactly one JSON value. */
    static String prettyJson(String text) {
        Indenter p = new Indenter(text);
        try {
            p.skipWhitespace();
            p.value(0);
            p.skipWhitespace();
            if (p.pos != text.length()) {
                return null;
            }
            return p.out.toString();
        } catch (NotJson e) {
            return null;
        }
    }

    /** Thrown inside the indenter to abandon the attempt; carries no stack trace. */
    private static final class NotJson extends RuntimeException {
        NotJson() {
            super(null, null, false, false);
        }
    }

    private static final class Indenter {
        private final String s;
        private final StringBuilder out;
        private int pos;

        Indenter(String s) {
            this.s = s;
            this.out = new StringBuilder(s.length() + s.length() / 2);
        }

        void value(int depth) {
            if (depth > MAX_DEPTH || pos >= s.length()) {
                throw new NotJson();
            }
            char c = s.charAt(pos);
            switch (c) {
                case '{' -> container(depth, '}', true);
                case '[' -> container(depth, ']', false);
                case '"' -> string();
                case 't' -> literal("true");
                case 'f' -> literal("false");
                case 'n' -> literal("null");
                default -> {
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        number();
                    } else {
                        throw new NotJson();
                    }
                }
            }
        }

        private void container(int depth, char close, boolean object) {
            pos++;
            skipWhitespace();
            if (peek() == close) {
                pos++;
                out.append(object ? "{}" : "[]");
                return;
            }
            out.append(object ? '{' : '[').append('\n');
            while (true) {
                indent(depth + 1);
                if (object) {
                    if (peek() != '"') {
                        throw new NotJson();
                    }
                    string();
                    skipWhitespace();
                    expect(':');
                    out.append(": ");
                    skipWhitespace();
                }
                value(depth + 1);
                skipWhitespace();
                char c = peek();
                pos++;
                if (c == ',') {
                    out.append(",\n");
                    skipWhitespace();
                } else if (c == close) {
                    out.append('\n');
                    indent(depth);
                    out.append(close);
                    return;
                } else {
                    throw new NotJson();
                }
            }
        }

        private void string() {
            int start = pos++;
            while (true) {
                if (pos >= s.length()) {
                    throw new NotJson();
                }
                char c = s.charAt(pos++);
                if (c == '"') {
                    break;
                }
                if (c < 0x20) {
                    throw new NotJson();
                }
                if (c == '\\') {
                    if (pos >= s.length()) {
                        throw new NotJson();
                    }
                    char e = s.charAt(pos++);
                    if (e == 'u') {
                        for (int i = 0; i < 4; i++) {
                            if (pos >= s.length() || Character.digit(s.charAt(pos++), 16) < 0) {
                                throw new NotJson();
                            }
                        }
                    } else if ("\"\\/bfnrt".indexOf(e) < 0) {
                        throw new NotJson();
                    }
                }
            }
            out.append(s, start, pos);
        }

        private void number() {
            int start = pos;
            if (peek() == '-') {
                pos++;
            }
            if (peek() == '0') {
                pos++;
            } else if (!digits()) {
                throw new NotJson();
            }
            if (peek() == '.') {
                pos++;
                if (!digits()) {
                    throw new NotJson();
                }
            }
            if (peek() == 'e' || peek() == 'E') {
                pos++;
                if (peek() == '+' || peek() == '-') {
                    pos++;
                }
                if (!digits()) {
                    throw new NotJson();
                }
            }
            out.append(s, start, pos);
        }

        private boolean digits() {
            int start = pos;
            while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
                pos++;
            }
            return pos > start;
        }

        private void literal(String word) {
            if (!s.startsWith(word, pos)) {
                throw new NotJson();
            }
            pos += word.length();
            out.append(word);
        }

        private void expect(char c) {
            if (peek() != c) {
                throw new NotJson();
            }
            pos++;
        }

        /** The current character, or NUL at the end (never valid where a token is expected). */
        private char peek() {
            return pos < s.length() ? s.charAt(pos) : '\0';
        }

        void skipWhitespace() {
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                    return;
                }
                pos++;
            }
        }

        private void indent(int depth) {
            out.repeat("  ", depth);
        }
    }
}

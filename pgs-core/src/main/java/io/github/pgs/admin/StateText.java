package io.github.pgs.admin;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;

/**
 * How a stored state is rendered as text for people ({@link Admin#inspect}, the {@code pgs inspect} command), and
 * the renderer. Nothing is decoded into objects: the payload is shown as JSON when it is exactly one JSON value in
 * strict UTF-8 and the codec writes text, as the text itself when it is other UTF-8 text, and as hexadecimal
 * otherwise.
 *
 * <h2>Layout</h2>
 * JSON is re-laid out without changing a token: strings keep their escapes, numbers their digits, members their
 * stored order; only whitespace changes. A container nested less than {@link #indentDepth()} levels deep (the
 * top-level value is at depth 0) gets one member per line, indented by two spaces per level; a deeper container
 * is written compactly on one line, with no whitespace at all. So indentation never exceeds
 * {@code 2 * indentDepth} spaces per line, however deeply the state nests, and {@code indentDepth} 0 gives the
 * compact form ({@link #COMPACT}), never longer than the stored JSON.
 *
 * <h2>Size cap</h2>
 * The rendered text is at most {@link #maxChars()} characters, followed, when it was cut, by
 * {@link #TRUNCATION_MARKER} and a short note of what was cut; {@link Rendered#truncated()} (and
 * {@link ServerInfo#stateTruncated()}) say so without parsing the text. A truncated JSON rendering is not valid
 * JSON. The whole payload is still checked, so the format is the same as the uncut rendering's. Rendering takes
 * time linear in the payload and memory of the payload plus the cap, whatever the payload holds.
 *
 * <h2>Defaults</h2>
 * {@link #DEFAULTS}: indentation to depth {@value #DEFAULT_INDENT_DEPTH}, at most {@value #DEFAULT_MAX_CHARS}
 * characters (1 Mi, about the default largest state shown compactly).
 *
 * <p>Immutable and thread-safe.
 *
 * @param indentDepth containers nested less deeply than this are laid out one member per line; deeper ones are
 *                    compact. {@code 0} to {@value #MAX_INDENT_DEPTH}
 * @param maxChars    the most characters of rendered text kept, not counting the truncation note; at least 1
 */
public record StateText(int indentDepth, int maxChars) {

    /** Containers nested less deeply than this are indented by default: 8. */
    public static final int DEFAULT_INDENT_DEPTH = 8;
    /** The most characters rendered by default: 1,048,576. */
    public static final int DEFAULT_MAX_CHARS = 1 << 20;
    /** The largest {@link #indentDepth()}: 64 (128 spaces per line). */
    public static final int MAX_INDENT_DEPTH = 64;
    /** What a truncated rendering continues with, on a line of its own, before the note of what was cut. */
    public static final String TRUNCATION_MARKER = "[... truncated:";

    /** Indented to depth {@value #DEFAULT_INDENT_DEPTH}, at most {@value #DEFAULT_MAX_CHARS} characters. */
    public static final StateText DEFAULTS = new StateText(DEFAULT_INDENT_DEPTH, DEFAULT_MAX_CHARS);
    /** No indentation at all, at most {@value #DEFAULT_MAX_CHARS} characters. */
    public static final StateText COMPACT = new StateText(0, DEFAULT_MAX_CHARS);

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /**
     * @throws IllegalArgumentException if {@code indentDepth} is not 0 to {@value #MAX_INDENT_DEPTH} or
     *                                  {@code maxChars} is below 1
     */
    public StateText {
        if (indentDepth < 0 || indentDepth > MAX_INDENT_DEPTH) {
            throw new IllegalArgumentException("indentDepth must be 0 to " + MAX_INDENT_DEPTH + ": " + indentDepth);
        }
        if (maxChars < 1) {
            throw new IllegalArgumentException("maxChars must be at least 1: " + maxChars);
        }
    }

    /** This rendering with {@code indentDepth} ({@code 0}: compact). */
    public StateText withIndentDepth(int indentDepth) {
        return new StateText(indentDepth, maxChars);
    }

    /** This rendering with {@code maxChars}. */
    public StateText withMaxChars(int maxChars) {
        return new StateText(indentDepth, maxChars);
    }

    /**
     * A rendered state.
     *
     * @param format    how {@code text} renders the payload
     * @param text      the rendering, ending with the truncation note if it was cut
     * @param truncated whether the rendering was cut at {@link #maxChars()}
     */
    public record Rendered(ServerInfo.Format format, String text, boolean truncated) {
    }

    /**
     * Renders {@code payload}: as JSON if {@code text} (the codec writes text) and it is exactly one JSON value in
     * strict UTF-8, as the text itself if it is other strict UTF-8, as lower-case hexadecimal otherwise.
     */
    public Rendered render(byte[] payload, boolean text) {
        String utf8 = text ? utf8(payload) : null;
        if (utf8 != null) {
            Layout json = new Layout(utf8, indentDepth, maxChars);
            if (json.run()) {
                return finish(ServerInfo.Format.JSON, json.out, json.cut, payload.length);
            }
            StringBuilder plain = new StringBuilder(Math.min(utf8.length(), maxChars));
            boolean cut = append(plain, utf8, 0, utf8.length(), maxChars);
            return finish(ServerInfo.Format.TEXT, plain, cut, payload.length);
        }
        int bytes = (int) Math.min(payload.length, (maxChars + 1L) / 2);
        StringBuilder hex = new StringBuilder(bytes * 2);
        for (int i = 0; i < bytes; i++) {
            hex.append(HEX[(payload[i] >> 4) & 0xF]).append(HEX[payload[i] & 0xF]);
        }
        if (hex.length() > maxChars) { // an odd cap: keep whole bytes only
            hex.setLength(hex.length() - 2);
        }
        return finish(ServerInfo.Format.HEX, hex, bytes < payload.length || hex.length() < 2 * bytes, payload.length);
    }

    private static Rendered finish(ServerInfo.Format format, StringBuilder out, boolean cut, int payloadBytes) {
        if (cut) {
            int shown = out.length();
            out.append('\n').append(TRUNCATION_MARKER).append(" the first ").append(shown)
                    .append(" characters are shown; the stored state has ").append(payloadBytes)
                    .append(payloadBytes == 1 ? " byte]" : " bytes]");
        }
        return new Rendered(format, out.toString(), cut);
    }

    /**
     * Appends {@code s[start, end)} to {@code out} up to {@code max} characters in all, never splitting a
     * surrogate pair; returns whether anything was left out.
     */
    private static boolean append(StringBuilder out, String s, int start, int end, int max) {
        int room = max - out.length();
        if (end - start <= room) {
            out.append(s, start, end);
            return false;
        }
        int stop = start + Math.max(room, 0);
        if (stop > start && Character.isHighSurrogate(s.charAt(stop - 1))) {
            stop--;
        }
        out.append(s, start, stop);
        return true;
    }

    /** The payload as strict UTF-8, or {@code null} if it is not valid UTF-8. */
    private static String utf8(byte[] payload) {
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

    /**
     * Recognises exactly one RFC 8259 JSON value and writes it out laid out, in one pass.
     *
     * <p>Algorithm: an iterative recogniser with an explicit stack of open containers (one bit each: object or
     * array), so nesting depth costs one bit per level and never the call stack. Tokens are copied as they are;
     * whitespace is dropped and re-emitted only around the members of containers shallower than the indent depth.
     * Output goes through {@link #emit}, which stops keeping characters at the cap but lets recognition run to
     * the end, so the result says whether the whole payload is JSON.
     *
     * <p>Hazards: anything that is not exactly one JSON value (trailing data, raw control characters in strings,
     * bad escapes, unbalanced brackets) makes {@link #run} return {@code false}; the caller then shows the text
     * unchanged, never half-laid-out. Indentation is written by the container's depth, capped by the indent
     * depth, so output per input character is bounded by about {@code 2 * indentDepth + 3}.
     */
    private static final class Layout {
        private final String s;
        private final int indentDepth;
        private final int max;
        final StringBuilder out;
        boolean cut;
        private int pos;
        /** Open containers, innermost at {@code depth - 1}: set for an object, clear for an array. */
        private final BitSet objects = new BitSet();
        private int depth;

        Layout(String s, int indentDepth, int max) {
            this.s = s;
            this.indentDepth = indentDepth;
            this.max = max;
            this.out = new StringBuilder(Math.min(max, s.length() + s.length() / 2) + 16);
        }

        /** Whether the text is exactly one JSON value; {@link #out} then holds its layout. */
        boolean run() {
            try {
                skipWhitespace();
                boolean wantValue = true;
                while (true) {
                    if (wantValue) {
                        wantValue = value();
                        continue;
                    }
                    if (depth == 0) {
                        break;
                    }
                    skipWhitespace();
                    char c = next();
                    boolean object = objects.get(depth - 1);
                    if (c == ',') {
                        emit(',');
                        if (expanded(depth - 1)) {
                            newline(depth);
                        }
                        skipWhitespace();
                        if (object) {
                            name();
                        }
                        wantValue = true;
                    } else if (c == (object ? '}' : ']')) {
                        depth--;
                        if (expanded(depth)) {
                            newline(depth);
                        }
                        emit(c);
                    } else {
                        return false;
                    }
                }
                skipWhitespace();
                return pos == s.length();
            } catch (NotJson e) {
                return false;
            }
        }

        /** Whether a container at {@code level} is laid out one member per line. */
        private boolean expanded(int level) {
            return level < indentDepth;
        }

        /**
         * One scalar, an empty container, or the opening of a container up to its first value (which is then
         * wanted: returns {@code true}).
         */
        private boolean value() {
            char c = peek();
            switch (c) {
                case '{', '[' -> {
                    return open(c == '{');
                }
                case '"' -> string();
                case 't' -> literal("true");
                case 'f' -> literal("false");
                case 'n' -> literal("null");
                default -> {
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        number();
                    } else {
                        throw NotJson.INSTANCE;
                    }
                }
            }
            return false;
        }

        private boolean open(boolean object) {
            pos++;
            skipWhitespace();
            char close = object ? '}' : ']';
            emit(object ? '{' : '[');
            if (peek() == close) {
                pos++;
                emit(close);
                return false;
            }
            objects.set(depth, object);
            depth++;
            if (expanded(depth - 1)) {
                newline(depth);
            }
            if (object) {
                name();
            }
            return true;
        }

        /** A member's name and colon. */
        private void name() {
            if (peek() != '"') {
                throw NotJson.INSTANCE;
            }
            string();
            skipWhitespace();
            if (next() != ':') {
                throw NotJson.INSTANCE;
            }
            emit(':');
            if (expanded(depth - 1)) {
                emit(' ');
            }
            skipWhitespace();
        }

        private void string() {
            int start = pos++;
            while (true) {
                if (pos >= s.length()) {
                    throw NotJson.INSTANCE;
                }
                char c = s.charAt(pos++);
                if (c == '"') {
                    break;
                }
                if (c < 0x20) {
                    throw NotJson.INSTANCE;
                }
                if (c == '\\') {
                    char e = next();
                    if (e == 'u') {
                        for (int i = 0; i < 4; i++) {
                            if (Character.digit(next(), 16) < 0) {
                                throw NotJson.INSTANCE;
                            }
                        }
                    } else if ("\"\\/bfnrt".indexOf(e) < 0) {
                        throw NotJson.INSTANCE;
                    }
                }
            }
            emit(start, pos);
        }

        private void number() {
            int start = pos;
            if (peek() == '-') {
                pos++;
            }
            if (peek() == '0') {
                pos++;
            } else if (!digits()) {
                throw NotJson.INSTANCE;
            }
            if (peek() == '.') {
                pos++;
                if (!digits()) {
                    throw NotJson.INSTANCE;
                }
            }
            if (peek() == 'e' || peek() == 'E') {
                pos++;
                if (peek() == '+' || peek() == '-') {
                    pos++;
                }
                if (!digits()) {
                    throw NotJson.INSTANCE;
                }
            }
            emit(start, pos);
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
                throw NotJson.INSTANCE;
            }
            emit(pos, pos + word.length());
            pos += word.length();
        }

        /** The current character, consumed; NUL at the end (never valid where a token is expected). */
        private char next() {
            return pos < s.length() ? s.charAt(pos++) : '\0';
        }

        /** The current character; NUL at the end. */
        private char peek() {
            return pos < s.length() ? s.charAt(pos) : '\0';
        }

        private void skipWhitespace() {
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                    return;
                }
                pos++;
            }
        }

        /** A line break and the indentation of a member of a container at {@code level - 1}. */
        private void newline(int level) {
            emit('\n');
            for (int i = Math.min(level, indentDepth); i > 0 && !cut; i--) {
                emit(' ');
                emit(' ');
            }
        }

        private void emit(char c) {
            if (cut) {
                return;
            }
            if (out.length() < max) {
                out.append(c);
            } else {
                cut = true;
            }
        }

        private void emit(int start, int end) {
            if (!cut) {
                cut = append(out, s, start, end, max);
            }
        }
    }

    /** Abandons a layout attempt; carries no stack trace. */
    private static final class NotJson extends RuntimeException {
        static final NotJson INSTANCE = new NotJson();

        private NotJson() {
            super(null, null, false, false);
        }
    }
}

package io.github.pgs.console.internal;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A streaming JSON writer for the console's API answers: objects, arrays, strings, numbers, booleans, null.
 *
 * <p>Algorithm: one {@link StringBuilder}; a stack remembers for each open container whether a value was written
 * in it yet, so commas go in the right places. Hazards: strings are escaped for JSON and, beyond that, {@code <},
 * {@code >}, {@code &}, U+2028 and U+2029 are written as {@code \\u} escapes, so a stored state holding
 * {@code </script>} or HTML can never be read as markup even by a client that wrongly treats the answer as HTML;
 * lone surrogates are escaped rather than written as invalid UTF-8. Misuse (a member name outside an object, a
 * value where a name is due) throws {@link IllegalStateException}: it is a programming error, not bad input.
 */
public final class Json {

    private final StringBuilder out = new StringBuilder(256);
    /** One entry per open container: whether it already holds an element. */
    private final Deque<boolean[]> open = new ArrayDeque<>();
    /** Whether the next string is a member name (in an object, after a value or at its start). */
    private final Deque<Boolean> inObject = new ArrayDeque<>();
    private boolean nameWritten;

    public Json beginObject() {
        beforeValue();
        out.append('{');
        open.push(new boolean[1]);
        inObject.push(true);
        return this;
    }

    public Json endObject() {
        if (inObject.isEmpty() || !inObject.peek() || nameWritten) {
            throw new IllegalStateException("no object to end here");
        }
        open.pop();
        inObject.pop();
        out.append('}');
        return this;
    }

    public Json beginArray() {
        beforeValue();
        out.append('[');
        open.push(new boolean[1]);
        inObject.push(false);
        return this;
    }

    public Json endArray() {
        if (inObject.isEmpty() || inObject.peek()) {
            throw new IllegalStateException("no array to end here");
        }
        open.pop();
        inObject.pop();
        out.append(']');
        return this;
    }

    /** Writes a member name; the next call writes its value. */
    public Json name(String name) {
        if (inObject.isEmpty() || !inObject.peek() || nameWritten) {
            throw new IllegalStateException("a member name is not expected here");
        }
        boolean[] state = open.peek();
        if (state[0]) {
            out.append(',');
        }
        state[0] = true;
        string(name);
        out.append(':');
        nameWritten = true;
        return this;
    }

    public Json value(String v) {
        beforeValue();
        if (v == null) {
            out.append("null");
        } else {
            string(v);
        }
        return this;
    }

    public Json value(long v) {
        beforeValue();
        out.append(v);
        return this;
    }

    public Json value(double v) {
        beforeValue();
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            out.append("null");
        } else {
            out.append(v);
        }
        return this;
    }

    public Json value(boolean v) {
        beforeValue();
        out.append(v);
        return this;
    }

    /** An instant as ISO-8601 text (UTC), or null. */
    public Json value(Instant v) {
        return value(v == null ? null : v.toString());
    }

    public Json nullValue() {
        beforeValue();
        out.append("null");
        return this;
    }

    /** Shorthand for {@code name(n).value(v)}. */
    public Json field(String n, String v) {
        return name(n).value(v);
    }

    public Json field(String n, long v) {
        return name(n).value(v);
    }

    public Json field(String n, boolean v) {
        return name(n).value(v);
    }

    public Json field(String n, Instant v) {
        return name(n).value(v);
    }

    private void beforeValue() {
        if (inObject.isEmpty()) {
            if (!out.isEmpty()) {
                throw new IllegalStateException("only one top-level value");
            }
            return;
        }
        if (inObject.peek()) {
            if (!nameWritten) {
                throw new IllegalStateException("a value in an object needs a member name first");
            }
            nameWritten = false;
            return;
        }
        boolean[] state = open.peek();
        if (state[0]) {
            out.append(',');
        }
        state[0] = true;
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    boolean loneSurrogate = Character.isSurrogate(c) && !(Character.isHighSurrogate(c)
                            && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1)));
                    if (Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1))) {
                        loneSurrogate = false;
                    }
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029'
                            || c == 0x7F || loneSurrogate) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** The document; all containers must be closed. */
    @Override
    public String toString() {
        if (!open.isEmpty()) {
            throw new IllegalStateException(open.size() + " containers still open");
        }
        return out.toString();
    }
}

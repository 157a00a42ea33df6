package io.github.pgs.cli;

/**
 * Makes stored text safe to print: keys and states come from data, and a control character (an ANSI escape
 * sequence, a carriage return) in them must not rewrite the operator's terminal or forge output lines.
 */
final class Terminal {

    private Terminal() {
    }

    /** {@code s} with every control character except line feed and tab shown as {@code \\uXXXX}. */
    static String safeMultiline(String s) {
        return escape(s, true);
    }

    /** {@code s} with every control character (line feeds and tabs too) shown as {@code \\uXXXX}. */
    static String safe(String s) {
        return escape(s, false);
    }

    private static String escape(String s, boolean keepLines) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean control = Character.isISOControl(c) || c == '\u2028' || c == '\u2029'
                    || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069');
            if (control && keepLines && (c == '\n' || c == '\t')) {
                control = false;
            }
            if (control) {
                if (out == null) {
                    out = new StringBuilder(s.length() + 16).append(s, 0, i);
                }
                out.append(String.format("\\u%04x", (int) c));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? s : out.toString();
    }

    /** The number of code points, the column width for the text the tool prints (keys are mostly ASCII). */
    static int width(String s) {
        return s.codePointCount(0, s.length());
    }
}

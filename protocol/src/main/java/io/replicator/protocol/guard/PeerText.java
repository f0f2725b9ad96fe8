package io.replicator.protocol.guard;

/**
 * Text a peer chose (an error frame's message, a source id, a volume or certificate name, a TLS
 * library's reason that quotes them) made safe to write into a log line or onto a terminal: every
 * character that could end the line, rewrite the terminal or hide what follows it is replaced by a
 * visible escape, and the result is bounded in length.
 *
 * <ul>
 *   <li>CR, LF and TAB become {@code \r}, {@code \n}, {@code \t}; every other C0 control character,
 *       DEL and every C1 control character (U+0080-U+009F, which terminals take for ESC sequences)
 *       become {@code \xNN};</li>
 *   <li>the line and paragraph separators, format characters (bidirectional overrides, zero-width
 *       characters, BOM) and unpaired surrogates become a backslash, {@code u} and four hex digits;</li>
 *   <li>anything past {@code maxChars} characters of the result is cut and replaced by
 *       {@code "... (N more characters)"}.</li>
 * </ul>
 * A backslash is left as it is, so escaping escaped text changes nothing and text that crossed
 * both daemons reads the same in both logs; a peer can write a literal {@code \n}, but never a line
 * break. Stateless and thread-safe.
 */
public final class PeerText {
    /** How many characters of escaped text {@link #escape(String)} keeps. */
    public static final int DEFAULT_MAX_CHARS = 1024;

    private PeerText() {
    }

    /** {@code text} escaped and cut at {@link #DEFAULT_MAX_CHARS}; {@code "null"} for null. */
    public static String escape(String text) {
        return escape(text, DEFAULT_MAX_CHARS);
    }

    /** {@code text} escaped and cut at {@code maxChars} characters of the result; {@code "null"} for null. */
    public static String escape(String text, int maxChars) {
        if (maxChars < 1) {
            throw new IllegalArgumentException("invalid maxChars: " + maxChars + " (expected: at least 1)");
        }
        if (text == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), maxChars) + 16);
        int i = 0;
        while (i < text.length()) {
            int cp = text.codePointAt(i);
            String escaped = escapeOf(cp);
            int width = escaped != null ? escaped.length() : Character.charCount(cp);
            if (out.length() + width > maxChars) {
                break;
            }
            if (escaped != null) {
                out.append(escaped);
            } else {
                out.appendCodePoint(cp);
            }
            i += Character.charCount(cp);
        }
        if (i < text.length()) {
            out.append("... (").append(text.length() - i).append(" more characters)");
        }
        return out.toString();
    }

    /** The visible form of a code point that must not reach a log as it is, or null when it may. */
    private static String escapeOf(int cp) {
        switch (cp) {
            case '\r':
                return "\\r";
            case '\n':
                return "\\n";
            case '\t':
                return "\\t";
            default:
                break;
        }
        if (Character.isISOControl(cp)) {
            return String.format("\\x%02x", cp);
        }
        int type = Character.getType(cp);
        if (type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR || type == Character.FORMAT
                || type == Character.SURROGATE) {
            return String.format("\\u%04x", cp);
        }
        return null;
    }
}

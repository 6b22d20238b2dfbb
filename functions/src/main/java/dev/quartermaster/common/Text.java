package dev.quartermaster.common;

import dev.quartermaster.events.Validation;

/**
 * Bounds and cleans text that came from outside (events, registries, image contents) before it is
 * stored, logged or alerted: control characters (CR, LF, ESC, ...) become spaces and the length is
 * capped.
 */
public final class Text {
    private Text() {}

    /**
     * One line: every control character becomes a space; at most {@code max} characters (with an
     * ellipsis). The events package cleans what arrives the same way, with its own ({@link
     * Validation#oneLine}): common builds on events, not the other way round.
     */
    public static String oneLine(String s, int max) {
        return Validation.oneLine(s, max);
    }

    /** Printable ASCII only (what an SNS subject accepts), at most {@code max} characters. */
    public static String ascii(String s, int max) {
        if (s == null) {
            return null;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() <= max; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return b.length() > max ? b.substring(0, max - 3) + "..." : b.toString();
    }

    /** Multi-line text: keeps newlines, drops every other control character, caps the length. */
    public static String paragraph(String s, int max) {
        if (s == null) {
            return null;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() <= max; i++) {
            char c = s.charAt(i);
            b.append(c == '\n' || !Character.isISOControl(c) ? c : ' ');
        }
        return b.length() > max ? b.substring(0, max - 1) + "…" : b.toString();
    }
}

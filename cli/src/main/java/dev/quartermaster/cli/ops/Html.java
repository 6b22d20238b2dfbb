package dev.quartermaster.cli.ops;

/**
 * HTML text and attribute escaping: the report shows tags, reasons and messages that came from
 * outside.
 */
final class Html {
    private Html() {}

    static String escape(Object value) {
        String s = value == null ? "" : value.toString();
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(Character.isISOControl(c) && c != '\n' ? ' ' : c);
            }
        }
        return b.toString();
    }
}

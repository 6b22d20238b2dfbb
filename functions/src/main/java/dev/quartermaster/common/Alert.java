package dev.quartermaster.common;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Something a person should look at. {@code kind} is a stable machine name (TAG_MOVED, MISMATCH,
 * BACKUP_FAILED, ...); subject and message are for the e-mail. Never carries secrets. Parts of it come
 * from untrusted input (tags, versions found in images), so the subject is made one line of printable
 * ASCII under SNS's 100-character limit, and the message and attributes are bounded.
 */
public record Alert(String kind, String subject, String message, Map<String, String> attributes) {
    static final int MAX_SUBJECT = 100;
    static final int MAX_MESSAGE = 16 * 1024;
    static final int MAX_ATTRIBUTE = 512;

    public Alert {
        Map<String, String> clean = new LinkedHashMap<>();
        attributes.forEach((k, v) -> {
            if (k != null && v != null) {
                clean.put(Text.oneLine(k, 64), Text.oneLine(v, MAX_ATTRIBUTE));
            }
        });
        attributes = Map.copyOf(clean);
        subject = Text.ascii(subject, MAX_SUBJECT);
        message = Text.paragraph(message, MAX_MESSAGE);
    }
}

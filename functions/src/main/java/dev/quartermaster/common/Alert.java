package dev.quartermaster.common;

import java.util.Map;

/**
 * Something a person should look at. {@code kind} is a stable machine name (TAG_MOVED, MISMATCH,
 * BACKUP_FAILED, ...); subject and message are for the e-mail. Never carries secrets.
 */
public record Alert(String kind, String subject, String message, Map<String, String> attributes) {
    public Alert {
        attributes = Map.copyOf(attributes);
        if (subject.length() > 100) {
            subject = subject.substring(0, 97) + "..."; // SNS subject limit
        }
    }
}

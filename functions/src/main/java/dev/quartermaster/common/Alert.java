package dev.quartermaster.common;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Something a person should look at. {@code kind} is a stable machine name (TAG_MOVED, MISMATCH,
 * BACKUP_FAILED, ...); subject and message are for the e-mail; {@code next} is the one command to
 * run next (null: none named). Never carries secrets. Parts of it come from untrusted input (tags,
 * versions found in images), so the subject is made one line of printable ASCII of at most 99
 * characters (SNS's Publish takes a subject "less than 100 characters long": the SNS API reference,
 * and the SDK's model, PublishInput.Subject), and the message, the command and the attributes are
 * bounded.
 */
public record Alert(
        String kind, String subject, String message, Map<String, String> attributes, String next) {
    static final int MAX_SUBJECT = 99;
    static final int MAX_MESSAGE = 16 * 1024;
    static final int MAX_ATTRIBUTE = 512;
    static final int MAX_NEXT = 300;

    public Alert {
        Map<String, String> clean = new LinkedHashMap<>();
        attributes.forEach(
                (k, v) -> {
                    if (k != null && v != null) {
                        clean.put(Text.oneLine(k, 64), Text.oneLine(v, MAX_ATTRIBUTE));
                    }
                });
        attributes = Map.copyOf(clean);
        subject = Text.ascii(subject, MAX_SUBJECT);
        message = Text.paragraph(message, MAX_MESSAGE);
        next = next == null || next.isBlank() ? null : Text.oneLine(next, MAX_NEXT);
    }

    public Alert(String kind, String subject, String message, Map<String, String> attributes) {
        this(kind, subject, message, attributes, null);
    }

    /** The same alert with the command a person runs next. */
    public Alert withNext(String command) {
        return new Alert(kind, subject, message, attributes, command);
    }

    /**
     * What the alert is about, the key the alert log groups by with the kind: an explicit {@code
     * subject} attribute, else the repository's tag or digest (a tag first: a lying tag pushed
     * again is the same subject), the replication destination and the host where there is one, else
     * the app on its host, else the database, else the subject line itself.
     */
    public String subjectKey() {
        if (attributes.get("subject") != null) {
            return attributes.get("subject");
        }
        String repository = attributes.get("repository");
        String tag = attributes.get("tag");
        String digest = attributes.get("digest");
        StringBuilder key = new StringBuilder();
        if (repository != null) {
            key.append(repository);
            if (tag != null && !tag.isEmpty()) {
                key.append(':').append(tag);
            } else if (digest != null && !digest.isEmpty()) {
                key.append('@').append(digest);
            }
        } else if (attributes.get("app") != null) {
            key.append(attributes.get("app"));
        } else if (attributes.get("database") != null) {
            key.append(attributes.get("database"));
        }
        if (attributes.get("destination") != null) {
            key.append(" to ").append(attributes.get("destination"));
        }
        if (attributes.get("host") != null) {
            key.append(" on ").append(attributes.get("host"));
        }
        return key.isEmpty() ? subject : key.toString().strip();
    }
}

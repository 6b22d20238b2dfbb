package dev.quartermaster.common;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The alert log: every alert, whatever sends it, as a window of one kind and subject (first and
 * last time, how many, the first message, the next command), kept {@code alertRetentionDays}
 * (DynamoDB: its own table with a TTL; an in-memory twin for unit tests). A second kind of window
 * counts the distinct subjects of one kind (a flood). What to publish is decided by {@link
 * GroupedAlerts}; the log only keeps windows and changes them atomically:
 *
 * <ul>
 *   <li>{@link #count} adds one occurrence to the open window of a key, concurrently with any
 *       number of writers;
 *   <li>{@link #open} starts a window where none is open, moving the ended one (if any) to the
 *       history in the same write;
 *   <li>{@link #update} changes a window's delivery state only if nobody changed it since it was
 *       read (its version).
 * </ul>
 */
public interface AlertLog {

    /**
     * A window's key: a kind and subject (a group), or a kind alone (its flood window, {@code
     * subject} null).
     */
    record Key(String kind, String subject) {
        public static Key group(String kind, String subject) {
            return new Key(kind, subject);
        }

        public static Key flood(String kind) {
            return new Key(kind, null);
        }

        public boolean flood() {
            return subject == null;
        }
    }

    /**
     * One window. {@code published}: the first occurrence was delivered (or deliberately held back,
     * {@code held}, because its kind was flooding); {@code claimedAt}: when a writer last took on
     * its delivery; {@code settled}: the window ended and what it owed (its summary) was delivered,
     * so nothing about it is due any more. For a flood window {@code count} is the number of
     * distinct subjects and {@code subjects} the first few; for a group it is the number of
     * occurrences. {@code version} is the store's revision it was read at.
     */
    record Window(
            Key key,
            Instant firstAt,
            Instant end,
            Instant lastAt,
            long count,
            String title,
            String message,
            String next,
            Map<String, String> attributes,
            boolean published,
            boolean held,
            boolean settled,
            Instant claimedAt,
            List<String> subjects,
            long version) {
        public Window {
            attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
            subjects = subjects == null ? List.of() : List.copyOf(subjects);
        }

        /**
         * A new group window holding its first occurrence, claimed for delivery by the writer that
         * opens it.
         */
        public static Window first(Alert a, Instant at, Duration length) {
            return new Window(
                    Key.group(a.kind(), a.subjectKey()),
                    at,
                    at.plus(length),
                    at,
                    1,
                    a.subject(),
                    a.message(),
                    a.next(),
                    a.attributes(),
                    false,
                    false,
                    false,
                    at,
                    List.of(),
                    0);
        }

        /** A new flood window of {@code kind}, counting {@code subject} as its first. */
        public static Window flood(String kind, String subject, Instant at, Duration length) {
            return new Window(
                    Key.flood(kind),
                    at,
                    at.plus(length),
                    at,
                    1,
                    null,
                    null,
                    null,
                    Map.of(),
                    true,
                    false,
                    false,
                    null,
                    List.of(subject),
                    0);
        }

        public boolean ended(Instant now) {
            return !end.isAfter(now);
        }

        public Window delivered() {
            return new Window(
                    key,
                    firstAt,
                    end,
                    lastAt,
                    count,
                    title,
                    message,
                    next,
                    attributes,
                    true,
                    held,
                    settled,
                    claimedAt,
                    subjects,
                    version);
        }

        public Window heldBack() {
            return new Window(
                    key,
                    firstAt,
                    end,
                    lastAt,
                    count,
                    title,
                    message,
                    next,
                    attributes,
                    true,
                    true,
                    settled,
                    claimedAt,
                    subjects,
                    version);
        }

        public Window claimed(Instant at) {
            return new Window(
                    key,
                    firstAt,
                    end,
                    lastAt,
                    count,
                    title,
                    message,
                    next,
                    attributes,
                    published,
                    held,
                    settled,
                    at,
                    subjects,
                    version);
        }

        public Window settledNow() {
            return new Window(
                    key,
                    firstAt,
                    end,
                    lastAt,
                    count,
                    title,
                    message,
                    next,
                    attributes,
                    published,
                    held,
                    true,
                    claimedAt,
                    subjects,
                    version);
        }
    }

    /**
     * Adds one occurrence at {@code at} to the key's window if it is still open then (for a flood,
     * remembering {@code subject} among the first few); empty when no window is open.
     */
    Optional<Window> count(Key key, Instant at, String subject);

    /** The key's current window (open or ended), read consistently. */
    Optional<Window> current(Key key);

    /**
     * Makes {@code fresh} the key's current window: where none is ({@code replaced} null), or in
     * place of {@code replaced} if it is unchanged since read (its version and count); {@code
     * closedAs} (the replaced window's final state, null: a flood window, which keeps no history)
     * goes to the history in the same write. Returns the window as stored (its version one past the
     * replaced one's), or empty when another writer got there first (read again).
     */
    Optional<Window> open(Window fresh, Window replaced, Window closedAs);

    /**
     * Sets the key's current window's delivery state ({@code published}, {@code held}, {@code
     * settled}, {@code claimedAt}) to {@code next}'s if its version is still {@code
     * next.version()}; its count and times are left as they are (occurrences counted meanwhile
     * stay). Returns the window as stored, or empty when it changed since read.
     */
    Optional<Window> update(Window next);

    /**
     * Current windows not yet settled that are due: ended (their summary), or delivered by nobody
     * within {@link #CLAIM_TIMEOUT} of the last claim (a writer crashed, or the topic refused).
     * Earliest first, at most {@code limit}; read again before acting.
     */
    List<Window> due(Instant now, int limit);

    /**
     * When {@code w} is due: its end once its first occurrence is delivered, else when its delivery
     * claim runs out.
     */
    static Instant dueAt(Window w) {
        return w.published() || w.claimedAt() == null ? w.end() : w.claimedAt().plus(CLAIM_TIMEOUT);
    }

    /** How many subjects a flood window remembers by name. */
    int FIRST_FEW = 5;

    /**
     * Group windows (current and history) whose last occurrence is at or after {@code since},
     * newest first, at most {@code limit}.
     */
    List<Window> since(Instant since, int limit);

    /**
     * How long a delivery claim holds before another writer may take it over (a writer that crashed
     * mid-delivery).
     */
    Duration CLAIM_TIMEOUT = Duration.ofSeconds(30);
}

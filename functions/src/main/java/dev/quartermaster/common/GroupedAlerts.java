package dev.quartermaster.common;

import dev.quartermaster.common.AlertLog.Key;
import dev.quartermaster.common.AlertLog.Window;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * The one way every alert goes out: logged first, then published by the grouping rules, as
 * Alertmanager groups.
 *
 * <ul>
 *   <li>The same kind and subject within the window ({@code alertGroupMinutes}) is one alert with a
 *       count: the first occurrence is published at once, repeats are only counted. When the window
 *       has ended, its repeats are summarised once ("N more since ..."): by the next occurrence,
 *       which opens a new window and says so in its own alert, or by the sweep ({@link #sweep},
 *       scheduled) when none comes. Nothing is lost: the log keeps every window's count.
 *   <li>More than {@code threshold} distinct subjects of one kind opening within the window is a
 *       flood: the first {@code threshold} go out one by one, the rest are held back (logged,
 *       counted), and one summary names how many and the first few when the flood window ends (an
 *       {@value #FLOOD_KIND} alert, logged like any other).
 *   <li>A first occurrence whose delivery failed (the topic refused, the function crashed) is
 *       delivered by the next occurrence or the sweep once its claim runs out.
 * </ul>
 *
 * If the log cannot be written, the alert is published anyway (ungrouped): an alert is never lost
 * to the log.
 */
public final class GroupedAlerts implements Alerts {
    private static final Logger LOG = LoggerFactory.getLogger(GroupedAlerts.class);
    public static final String FLOOD_KIND = "ALERT_FLOOD";
    private static final int MAX_ATTEMPTS = 16;
    private static final int SWEEP_BATCH = 100;
    private static final DateTimeFormatter HH_MM =
            DateTimeFormatter.ofPattern("HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    private final AlertLog log;
    private final Alerts out;
    private final Clock clock;
    private final Duration window;
    private final int threshold;

    /**
     * @param out where alerts are published (SNS; a file locally)
     * @param window how long a group (and a flood count) stays open after its first occurrence
     * @param threshold how many distinct subjects of one kind go out one by one within a window
     *     before the rest are held back
     */
    public GroupedAlerts(AlertLog log, Alerts out, Clock clock, Duration window, int threshold) {
        if (window.isNegative() || window.isZero() || threshold < 1) {
            throw new IllegalArgumentException(
                    "the alert window must be positive and the flood threshold at least 1");
        }
        this.log = log;
        this.out = out;
        this.clock = clock;
        this.window = window;
        this.threshold = threshold;
    }

    @Override
    public void publish(Alert alert) {
        Instant now = clock.instant();
        Key key = Key.group(alert.kind(), alert.subjectKey());
        Optional<Window> opened;
        Window replaced;
        try {
            for (int attempt = 1; ; attempt++) {
                Optional<Window> counted = log.count(key, now, null);
                if (counted.isPresent()) { // a repeat within the window: counted; delivered only if
                    // its first never was
                    takeOver(counted.get(), now);
                    return;
                }
                replaced = log.current(key).orElse(null);
                if (replaced != null && !replaced.ended(now)) {
                    continue; // another writer opened it meanwhile: count there
                }
                opened =
                        log.open(
                                Window.first(alert, now, window),
                                replaced,
                                replaced == null ? null : closed(replaced));
                if (opened.isPresent()) {
                    break;
                }
                if (attempt >= MAX_ATTEMPTS) {
                    throw new IllegalStateException(
                            "the alert log's window of " + key + " kept changing");
                }
            }
        } catch (RuntimeException logDown) {
            LOG.error(
                    "the alert log could not be written; publishing ungrouped",
                    entry("kind", alert.kind()),
                    logDown);
            out.publish(alert);
            return;
        }
        Window first = opened.get();
        if (!alert.kind().equals(FLOOD_KIND) && flooding(alert, now)) {
            settle(first, Window::heldBack);
            return;
        }
        out.publish(replaced == null ? alert : withPrevious(alert, replaced));
        settle(first, Window::delivered);
    }

    /**
     * Logs an alert someone else delivered (a CloudWatch alarm's own action published it to the
     * topic): counted in its window like any other, never published here, never summarised. A
     * window of it lists as delivered by {@link #DELIVERED_BY}.
     */
    public void logDelivered(Alert alert) {
        Instant now = clock.instant();
        Key key = Key.group(alert.kind(), alert.subjectKey());
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            if (log.count(key, now, null).isPresent()) {
                return;
            }
            Window replaced = log.current(key).orElse(null);
            if (replaced != null && !replaced.ended(now)) {
                continue;
            }
            if (log.open(
                            Window.first(alert, now, window).heldBack(),
                            replaced,
                            replaced == null ? null : closed(replaced))
                    .isPresent()) {
                return;
            }
        }
        throw new IllegalStateException("the alert log's window of " + key + " kept changing");
    }

    /** The attribute naming who delivered an alert this sender only logged. */
    public static final String DELIVERED_BY = "deliveredBy";

    /**
     * The scheduled sweep: every window that ended is settled (its repeats summarised once, a flood
     * summarised), every first occurrence nobody delivered is delivered. Returns how many alerts it
     * published.
     */
    public int sweep() {
        Instant now = clock.instant();
        int sent = 0;
        RuntimeException failed = null;
        for (Window listed : log.due(now, SWEEP_BATCH)) {
            try {
                sent += settleDue(listed.key(), now);
            } catch (
                    RuntimeException
                            e) { // the others are still settled; this one is due again at the next
                // sweep
                LOG.error(
                        "an alert window could not be settled",
                        entry("window", listed.key().toString()),
                        e);
                failed = e;
            }
        }
        if (failed != null) {
            throw failed;
        }
        return sent;
    }

    private int settleDue(Key key, Instant now) {
        Optional<Window> read = log.current(key);
        if (read.isEmpty() || read.get().settled()) {
            return 0;
        }
        int sent = 0;
        Window w = read.get();
        if (!w.published() && claimable(w, now)) {
            Optional<Window> claimed = log.update(w.claimed(now));
            if (claimed.isEmpty()) {
                return 0; // someone else took it: theirs
            }
            out.publish(firstOf(claimed.get()));
            sent++;
            w = settleOrRead(claimed.get(), Window::delivered);
            if (w == null) {
                return sent;
            }
        }
        if (w.published() && w.ended(now)) {
            Optional<Window> settled = log.update(w.settledNow());
            if (settled.isPresent() && owesSummary(w)) {
                if (w.key().flood()) {
                    publish(
                            floodSummary(
                                    w)); // logged like any alert: delivered by its own window if
                    // the topic refuses now
                } else {
                    publishOrRelease(summary(w), settled.get());
                }
                sent++;
            }
        }
        return sent;
    }

    /**
     * A window that ended owes a summary: a flood that held some back, or a delivered group with
     * repeats.
     */
    private boolean owesSummary(Window w) {
        if (w.settled()) {
            return false;
        }
        return w.key().flood() ? w.count() > threshold : !w.held() && w.count() > 1;
    }

    /**
     * The replaced window's final state in the history: settled by the occurrence that closed it
     * (it says what it owed).
     */
    private static Window closed(Window replaced) {
        return replaced.settledNow();
    }

    /**
     * Counts the alert's subject in its kind's flood window; true when it is beyond the threshold
     * (held back).
     */
    private boolean flooding(Alert alert, Instant now) {
        Key key = Key.flood(alert.kind());
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            Optional<Window> counted = log.count(key, now, alert.subjectKey());
            if (counted.isPresent()) {
                return counted.get().count() > threshold;
            }
            Window replaced = log.current(key).orElse(null);
            if (replaced != null && !replaced.ended(now)) {
                continue;
            }
            if (log.open(
                            Window.flood(alert.kind(), alert.subjectKey(), now, window),
                            replaced,
                            null)
                    .isPresent()) {
                if (replaced != null && owesSummary(replaced)) {
                    summariseFlood(
                            replaced); // the ended flood, summarised by the subject that opens the
                    // next window
                }
                return false;
            }
        }
        return false; // the count kept changing: better one alert too many than one held back
    }

    private void summariseFlood(Window flood) {
        try {
            publish(floodSummary(flood));
        } catch (RuntimeException e) { // logged before it failed: its own window delivers it later
            LOG.error(
                    "a flood summary could not be published now",
                    entry("kind", flood.key().kind()),
                    e);
        }
    }

    /**
     * A repeat found its window's first occurrence undelivered for longer than a claim holds: it
     * delivers it.
     */
    private void takeOver(Window w, Instant now) {
        if (w.published() || !claimable(w, now)) {
            return;
        }
        log.update(w.claimed(now))
                .ifPresent(
                        claimed -> {
                            out.publish(firstOf(claimed));
                            settleOrRead(claimed, Window::delivered);
                        });
    }

    private static boolean claimable(Window w, Instant now) {
        return w.claimedAt() == null || !w.claimedAt().plus(AlertLog.CLAIM_TIMEOUT).isAfter(now);
    }

    /**
     * Applies {@code change} to the window, re-reading it while others change its delivery state
     * meanwhile.
     */
    private void settle(Window w, java.util.function.UnaryOperator<Window> change) {
        settleOrRead(w, change);
    }

    private Window settleOrRead(Window w, java.util.function.UnaryOperator<Window> change) {
        Window current = w;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            Optional<Window> done = log.update(change.apply(current));
            if (done.isPresent()) {
                return done.get();
            }
            Optional<Window> again = log.current(w.key());
            if (again.isEmpty()
                    || !again.get().firstAt().equals(w.firstAt())
                    || again.get().published()) {
                return null; // a new window, or someone else finished it
            }
            current = again.get();
        }
        return null;
    }

    /**
     * Publishes a summary the caller claimed; if the topic refuses, the claim is given back so the
     * next sweep tries again.
     */
    private void publishOrRelease(Alert summary, Window settled) {
        try {
            out.publish(summary);
        } catch (RuntimeException e) {
            log.update(
                    new Window(
                            settled.key(),
                            settled.firstAt(),
                            settled.end(),
                            settled.lastAt(),
                            settled.count(),
                            settled.title(),
                            settled.message(),
                            settled.next(),
                            settled.attributes(),
                            settled.published(),
                            settled.held(),
                            false,
                            settled.claimedAt(),
                            settled.subjects(),
                            settled.version()));
            throw e;
        }
    }

    /** The first occurrence of a window, delivered late: it says how many came since. */
    private static Alert firstOf(Window w) {
        String late =
                "This alert, first raised at "
                        + w.firstAt()
                        + ", is delivered late"
                        + (w.count() > 1
                                ? " ("
                                        + w.count()
                                        + " occurrences since, the last at "
                                        + w.lastAt()
                                        + ")"
                                : "")
                        + ".\n\n";
        return new Alert(w.key().kind(), w.title(), late + w.message(), w.attributes(), w.next());
    }

    /**
     * The alert that opens a new window, saying what the window it closed held that nobody was told
     * yet.
     */
    private static Alert withPrevious(Alert alert, Window previous) {
        String note;
        if (!previous.published()) {
            note =
                    "Before this, "
                            + previous.count()
                            + " occurrence(s) between "
                            + previous.firstAt()
                            + " and "
                            + previous.lastAt()
                            + " were logged but never delivered.\n\n";
        } else if (!previous.held() && !previous.settled() && previous.count() > 1) {
            note =
                    "Before this, "
                            + (previous.count() - 1)
                            + " more since the alert of "
                            + previous.firstAt()
                            + " (the last at "
                            + previous.lastAt()
                            + ").\n\n";
        } else {
            return alert;
        }
        return new Alert(
                alert.kind(),
                alert.subject(),
                note + alert.message(),
                alert.attributes(),
                alert.next());
    }

    /** A group's repeats, summarised once when its window has ended. */
    private static Alert summary(Window w) {
        long more = w.count() - 1;
        String subject =
                w.key().kind()
                        + ": "
                        + more
                        + " more since "
                        + HH_MM.format(w.firstAt())
                        + ": "
                        + w.key().subject();
        String message =
                more
                        + " more "
                        + w.key().kind()
                        + " for "
                        + w.key().subject()
                        + " since the alert of "
                        + w.firstAt()
                        + " (the last at "
                        + w.lastAt()
                        + "; "
                        + w.count()
                        + " in all). That alert said:\n\n"
                        + w.message();
        Map<String, String> attrs = new LinkedHashMap<>(w.attributes());
        attrs.put("count", Long.toString(w.count()));
        return new Alert(w.key().kind(), subject, message, attrs, w.next());
    }

    /** A flood, summarised once: how many subjects, the first few, where to read them all. */
    private Alert floodSummary(Window f) {
        String kind = f.key().kind();
        long held = f.count() - threshold;
        String subject =
                kind + " flood: " + f.count() + " subjects in " + window.toMinutes() + " min";
        String message =
                f.count()
                        + " distinct subjects raised "
                        + kind
                        + " between "
                        + f.firstAt()
                        + " and "
                        + f.lastAt()
                        + ": the first "
                        + threshold
                        + " were alerted one by one, "
                        + held
                        + " more were logged without a message each."
                        + " The first: "
                        + String.join(", ", f.subjects())
                        + (f.count() > f.subjects().size()
                                ? " and " + (f.count() - f.subjects().size()) + " more"
                                : "")
                        + ".";
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put(
                "subject",
                kind); // one flood subject per kind: a flood of floods is grouped like any alert
        attrs.put("floodedKind", kind);
        attrs.put("count", Long.toString(f.count()));
        return new Alert(
                FLOOD_KIND,
                subject,
                message,
                attrs,
                "bin/qm alerts --kind " + kind + " --since " + f.firstAt() + " --aws");
    }
}

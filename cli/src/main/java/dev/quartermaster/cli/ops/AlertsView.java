package dev.quartermaster.cli.ops;

import dev.quartermaster.cli.console.TextTable;
import dev.quartermaster.common.AlertLog;
import dev.quartermaster.events.EventParser;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The alert log as bin/qm alerts and status show it: one line per window (kind and subject), newest
 * first.
 */
public final class AlertsView {
    private static final Pattern AGO = Pattern.compile("(\\d+)([mhd])");

    private AlertsView() {}

    /**
     * {@code 7d}, {@code 12h}, {@code 30m} before {@code now}, or an instant
     * (2026-12-01T00:00:00Z).
     */
    public static Instant since(String text, Instant now) {
        Matcher m = AGO.matcher(text.trim());
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return now.minus(
                    switch (m.group(2)) {
                        case "m" -> Duration.ofMinutes(n);
                        case "h" -> Duration.ofHours(n);
                        default -> Duration.ofDays(n);
                    });
        }
        try {
            return Instant.parse(text.trim());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(
                    "--since "
                            + text
                            + ": write 7d, 12h, 30m or an instant such as 2026-12-01T00:00:00Z");
        }
    }

    /**
     * The windows of {@code kind} (null: every kind) whose last occurrence is at or after {@code
     * since}, newest first.
     */
    public static List<AlertLog.Window> list(AlertLog log, Instant since, String kind, int limit) {
        return log.since(since, kind == null ? limit : 5000).stream()
                .filter(w -> kind == null || w.key().kind().equals(kind))
                .limit(limit)
                .toList();
    }

    /**
     * How the window was delivered: sent, held back by a flood, not yet delivered; and whether its
     * repeats were summarised.
     */
    public static String delivery(AlertLog.Window w) {
        String by = w.attributes().get(dev.quartermaster.common.GroupedAlerts.DELIVERED_BY);
        String first =
                !w.published()
                        ? "NOT YET SENT"
                        : by != null ? "sent by " + by : w.held() ? "held (flood)" : "sent";
        return w.count() > 1 && w.settled() && !w.held() ? first + ", repeats summarised" : first;
    }

    /** One line for status: when, kind, how many, the subject line. */
    public static String line(AlertLog.Window w) {
        return w.lastAt()
                + " "
                + w.key().kind()
                + (w.count() > 1 ? " x" + w.count() : "")
                + ": "
                + w.title();
    }

    public static Map<String, Object> json(AlertLog.Window w) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", w.key().kind());
        m.put("subject", w.key().subject());
        m.put("title", w.title());
        m.put("count", w.count());
        m.put("firstAt", w.firstAt().toString());
        m.put("lastAt", w.lastAt().toString());
        m.put("delivery", delivery(w));
        m.put("next", w.next());
        m.put("attributes", w.attributes());
        m.put("message", w.message());
        return m;
    }

    /**
     * @param local the local state's log: its next commands shown without --aws
     */
    public static void print(
            List<AlertLog.Window> windows, boolean json, boolean local, PrintStream out)
            throws Exception {
        if (json) {
            List<Map<String, Object>> all = new ArrayList<>();
            windows.forEach(
                    w -> {
                        Map<String, Object> m = json(w);
                        if (local && w.next() != null) {
                            m.put("next", Attention.locally(w.next()));
                        }
                        all.add(m);
                    });
            out.println(EventParser.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(all));
            return;
        }
        if (windows.isEmpty()) {
            out.println("no alerts in this period");
            return;
        }
        TextTable t =
                new TextTable("LAST", "KIND", "COUNT", "SUBJECT", "FIRST", "DELIVERY", "NEXT");
        windows.forEach(
                w ->
                        t.row(
                                w.lastAt(),
                                w.key().kind(),
                                w.count(),
                                w.key().subject(),
                                w.firstAt(),
                                delivery(w),
                                w.next() == null
                                        ? ""
                                        : local ? Attention.locally(w.next()) : w.next()));
        t.print(out, "");
    }
}

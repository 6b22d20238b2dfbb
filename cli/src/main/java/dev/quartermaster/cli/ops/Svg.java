package dev.quartermaster.cli.ops;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report's charts, drawn as inline SVG (no script, no external asset): a time series, bars
 * stacked per day, a timeline with one lane per host, bars stacked per row. Each chart is one
 * {@code <svg data-chart="ID">} of a fixed size, so the browser test finds its box; a chart without
 * data still draws its axes and says so.
 */
final class Svg {
    static final int WIDTH = 760;
    static final int HEIGHT = 240;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 34;
    private static final int BOTTOM = 40;
    private static final DateTimeFormatter DAY =
            DateTimeFormatter.ofPattern("MMM d", Locale.ROOT).withZone(ZoneOffset.UTC);

    private Svg() {}

    record Point(Instant at, double value) {}

    /** One line (or only markers) of a time series. */
    record Series(String name, String color, List<Point> points, boolean line) {}

    /**
     * One mark on a timeline lane: a colour, a shape (circle or diamond), a black ring for an
     * override, a hover title.
     */
    record Mark(
            String lane, Instant at, String color, boolean diamond, boolean ring, String title) {}

    static String timeSeries(
            String id, String title, String unit, List<Series> series, Instant from, Instant to) {
        StringBuilder b = open(id, HEIGHT, title);
        double max =
                series.stream()
                        .flatMap(s -> s.points().stream())
                        .mapToDouble(Point::value)
                        .max()
                        .orElse(0);
        double top = niceTop(max);
        axes(b, HEIGHT, top, unit, from, to);
        boolean any = false;
        for (Series s : series) {
            List<String> coords = new ArrayList<>();
            for (Point p : s.points()) {
                double x = x(p.at(), from, to);
                double y = y(p.value(), top, HEIGHT);
                coords.add(fmt(x) + "," + fmt(y));
                b.append("<circle cx=\"")
                        .append(fmt(x))
                        .append("\" cy=\"")
                        .append(fmt(y))
                        .append("\" r=\"4\" fill=\"")
                        .append(s.color())
                        .append("\"><title>")
                        .append(
                                Html.escape(
                                        s.name()
                                                + " "
                                                + p.at()
                                                + ": "
                                                + fmt(p.value())
                                                + " "
                                                + unit))
                        .append("</title></circle>");
                any = true;
            }
            if (s.line() && coords.size() > 1) {
                b.append("<polyline fill=\"none\" stroke=\"")
                        .append(s.color())
                        .append("\" stroke-width=\"2\" points=\"")
                        .append(String.join(" ", coords))
                        .append("\"/>");
            }
        }
        legend(b, series.stream().map(s -> Map.entry(s.name(), s.color())).toList());
        return close(b, any);
    }

    /** Bars per day, stacked by category (in the order of {@code colors}). */
    static String stackedDays(
            String id,
            String title,
            Map<String, String> colors,
            Map<LocalDate, Map<String, Integer>> perDay,
            Instant from,
            Instant to) {
        StringBuilder b = open(id, HEIGHT, title);
        int max =
                perDay.values().stream()
                        .mapToInt(m -> m.values().stream().mapToInt(Integer::intValue).sum())
                        .max()
                        .orElse(0);
        double top =
                Math.max(4, Math.ceil(niceTop(max) / 4) * 4); // counts: four whole-number steps
        axes(b, HEIGHT, top, "", from, to);
        LocalDate first = from.atZone(ZoneOffset.UTC).toLocalDate();
        long days = Math.max(1, Duration.between(from, to).toDays() + 1);
        double slot = (double) (WIDTH - LEFT - RIGHT) / days;
        double barWidth = Math.max(2, slot * 0.7);
        for (Map.Entry<LocalDate, Map<String, Integer>> day : perDay.entrySet()) {
            long index =
                    Duration.between(first.atStartOfDay(), day.getKey().atStartOfDay()).toDays();
            double xLeft = LEFT + index * slot + (slot - barWidth) / 2;
            double base = 0;
            for (Map.Entry<String, String> c : colors.entrySet()) {
                int n = day.getValue().getOrDefault(c.getKey(), 0);
                if (n == 0) {
                    continue;
                }
                double yTop = y(base + n, top, HEIGHT);
                double yBottom = y(base, top, HEIGHT);
                b.append("<rect x=\"")
                        .append(fmt(xLeft))
                        .append("\" y=\"")
                        .append(fmt(yTop))
                        .append("\" width=\"")
                        .append(fmt(barWidth))
                        .append("\" height=\"")
                        .append(fmt(yBottom - yTop))
                        .append("\" fill=\"")
                        .append(c.getValue())
                        .append("\"><title>")
                        .append(Html.escape(day.getKey() + " " + c.getKey() + ": " + n))
                        .append("</title></rect>");
                base += n;
            }
        }
        legend(b, new ArrayList<>(colors.entrySet()));
        return close(b, !perDay.isEmpty());
    }

    /** One lane per host, each release a mark at its time. */
    static String timeline(
            String id,
            String title,
            List<String> lanes,
            List<Mark> marks,
            Map<String, String> legend,
            Instant from,
            Instant to) {
        int height = Math.max(HEIGHT, TOP + BOTTOM + 40 * Math.max(1, lanes.size()));
        StringBuilder b = open(id, height, title);
        double laneHeight = (double) (height - TOP - BOTTOM) / Math.max(1, lanes.size());
        for (int i = 0; i < lanes.size(); i++) {
            double y = TOP + laneHeight * (i + 0.5);
            b.append("<line x1=\"")
                    .append(LEFT)
                    .append("\" x2=\"")
                    .append(WIDTH - RIGHT)
                    .append("\" y1=\"")
                    .append(fmt(y))
                    .append("\" y2=\"")
                    .append(fmt(y))
                    .append("\" stroke=\"#c8ccd2\" stroke-dasharray=\"4 3\"/>");
            b.append("<text x=\"")
                    .append(LEFT - 6)
                    .append("\" y=\"")
                    .append(fmt(y + 4))
                    .append("\" text-anchor=\"end\" font-size=\"12\">")
                    .append(Html.escape(lanes.get(i)))
                    .append("</text>");
        }
        timeAxis(b, height, from, to);
        for (Mark m : marks) {
            int lane = lanes.indexOf(m.lane());
            double x = x(m.at(), from, to);
            double y = TOP + laneHeight * (lane + 0.5);
            String stroke = m.ring() ? " stroke=\"#111\" stroke-width=\"2.5\"" : "";
            if (m.diamond()) {
                b.append("<polygon points=\"")
                        .append(fmt(x))
                        .append(',')
                        .append(fmt(y - 8))
                        .append(' ')
                        .append(fmt(x + 8))
                        .append(',')
                        .append(fmt(y))
                        .append(' ')
                        .append(fmt(x))
                        .append(',')
                        .append(fmt(y + 8))
                        .append(' ')
                        .append(fmt(x - 8))
                        .append(',')
                        .append(fmt(y))
                        .append("\" fill=\"")
                        .append(m.color())
                        .append('"')
                        .append(stroke)
                        .append('>');
                b.append("<title>").append(Html.escape(m.title())).append("</title></polygon>");
            } else {
                b.append("<circle cx=\"")
                        .append(fmt(x))
                        .append("\" cy=\"")
                        .append(fmt(y))
                        .append("\" r=\"7\" fill=\"")
                        .append(m.color())
                        .append('"')
                        .append(stroke)
                        .append("><title>")
                        .append(Html.escape(m.title()))
                        .append("</title></circle>");
            }
        }
        legend(b, new ArrayList<>(legend.entrySet()));
        return close(b, !marks.isEmpty());
    }

    /** One horizontal bar per row, stacked by category. */
    static String stackedRows(
            String id,
            String title,
            Map<String, String> colors,
            Map<String, Map<String, Integer>> rows) {
        int height = Math.max(HEIGHT, TOP + BOTTOM + 34 * Math.max(1, rows.size()));
        StringBuilder b = open(id, height, title);
        int max =
                rows.values().stream()
                        .mapToInt(m -> m.values().stream().mapToInt(Integer::intValue).sum())
                        .max()
                        .orElse(0);
        double top = niceTop(max);
        double rowHeight = (double) (height - TOP - BOTTOM) / Math.max(1, rows.size());
        double plot = WIDTH - LEFT - RIGHT - 60;
        int i = 0;
        for (Map.Entry<String, Map<String, Integer>> row : rows.entrySet()) {
            double y = TOP + rowHeight * i + rowHeight * 0.2;
            b.append("<text x=\"")
                    .append(LEFT + 4)
                    .append("\" y=\"")
                    .append(fmt(y - 2))
                    .append("\" font-size=\"12\">")
                    .append(Html.escape(row.getKey()))
                    .append("</text>");
            double x = LEFT + 4;
            for (Map.Entry<String, String> c : colors.entrySet()) {
                int n = row.getValue().getOrDefault(c.getKey(), 0);
                if (n == 0) {
                    continue;
                }
                double w = plot * n / top;
                b.append("<rect x=\"")
                        .append(fmt(x))
                        .append("\" y=\"")
                        .append(fmt(y + 2))
                        .append("\" width=\"")
                        .append(fmt(w))
                        .append("\" height=\"")
                        .append(fmt(rowHeight * 0.45))
                        .append("\" fill=\"")
                        .append(c.getValue())
                        .append("\"><title>")
                        .append(Html.escape(row.getKey() + " " + c.getKey() + ": " + n))
                        .append("</title></rect>");
                x += w;
            }
            b.append("<text x=\"")
                    .append(fmt(x + 6))
                    .append("\" y=\"")
                    .append(fmt(y + 2 + rowHeight * 0.35))
                    .append("\" font-size=\"12\">")
                    .append(row.getValue().values().stream().mapToInt(Integer::intValue).sum())
                    .append("</text>");
            i++;
        }
        legend(b, new ArrayList<>(colors.entrySet()));
        return close(b, !rows.isEmpty());
    }

    private static StringBuilder open(String id, int height, String title) {
        StringBuilder b = new StringBuilder();
        b.append("<svg data-chart=\"")
                .append(Html.escape(id))
                .append("\" role=\"img\" width=\"")
                .append(WIDTH)
                .append("\" height=\"")
                .append(height)
                .append("\" viewBox=\"0 0 ")
                .append(WIDTH)
                .append(' ')
                .append(height)
                .append("\"><title>")
                .append(Html.escape(title))
                .append("</title>");
        b.append("<rect x=\"0\" y=\"0\" width=\"")
                .append(WIDTH)
                .append("\" height=\"")
                .append(height)
                .append("\" fill=\"#fbfcfd\" stroke=\"#d9dde3\"/>");
        b.append("<text x=\"")
                .append(LEFT)
                .append("\" y=\"20\" font-size=\"14\" font-weight=\"bold\">")
                .append(Html.escape(title))
                .append("</text>");
        return b;
    }

    private static String close(StringBuilder b, boolean any) {
        if (!any) {
            b.append("<text x=\"")
                    .append(WIDTH / 2)
                    .append("\" y=\"")
                    .append(HEIGHT / 2)
                    .append("\" text-anchor=\"middle\" font-size=\"14\" fill=\"#6b7280\">")
                    .append("no records in this period</text>");
        }
        return b.append("</svg>").toString();
    }

    private static void axes(
            StringBuilder b, int height, double top, String unit, Instant from, Instant to) {
        int bottom = height - BOTTOM;
        for (int i = 0; i <= 4; i++) {
            double v = top * i / 4;
            double y = y(v, top, height);
            b.append("<line x1=\"")
                    .append(LEFT)
                    .append("\" x2=\"")
                    .append(WIDTH - RIGHT)
                    .append("\" y1=\"")
                    .append(fmt(y))
                    .append("\" y2=\"")
                    .append(fmt(y))
                    .append("\" stroke=\"")
                    .append(i == 0 ? "#6b7280" : "#e5e7eb")
                    .append("\"/>");
            b.append("<text x=\"")
                    .append(LEFT - 6)
                    .append("\" y=\"")
                    .append(fmt(y + 4))
                    .append("\" text-anchor=\"end\" font-size=\"11\">")
                    .append(Html.escape(fmt(v)))
                    .append("</text>");
        }
        if (!unit.isEmpty()) {
            b.append("<text x=\"12\" y=\"")
                    .append(TOP + (bottom - TOP) / 2)
                    .append("\" font-size=\"11\" transform=\"rotate(-90 12 ")
                    .append(TOP + (bottom - TOP) / 2)
                    .append(")\" text-anchor=\"middle\">")
                    .append(Html.escape(unit))
                    .append("</text>");
        }
        timeAxis(b, height, from, to);
    }

    private static void timeAxis(StringBuilder b, int height, Instant from, Instant to) {
        int bottom = height - BOTTOM;
        b.append("<line x1=\"")
                .append(LEFT)
                .append("\" x2=\"")
                .append(LEFT)
                .append("\" y1=\"")
                .append(TOP)
                .append("\" y2=\"")
                .append(bottom)
                .append("\" stroke=\"#6b7280\"/>");
        for (int i = 0; i <= 5; i++) {
            Instant t = from.plus(Duration.between(from, to).multipliedBy(i).dividedBy(5));
            double x = x(t, from, to);
            b.append("<text x=\"")
                    .append(fmt(x))
                    .append("\" y=\"")
                    .append(bottom + 16)
                    .append("\" text-anchor=\"middle\" font-size=\"11\">")
                    .append(DAY.format(t))
                    .append("</text>");
        }
    }

    private static void legend(StringBuilder b, List<Map.Entry<String, String>> entries) {
        double x = WIDTH - RIGHT;
        List<String> parts = new ArrayList<>();
        for (int i = entries.size() - 1; i >= 0; i--) {
            Map.Entry<String, String> e = entries.get(i);
            double w = 18 + 7 * e.getKey().length();
            x -= w;
            parts.add(
                    0,
                    "<rect x=\""
                            + fmt(x)
                            + "\" y=\"10\" width=\"10\" height=\"10\" fill=\""
                            + e.getValue()
                            + "\"/><text x=\""
                            + fmt(x + 13)
                            + "\" y=\"19\" font-size=\"11\">"
                            + Html.escape(e.getKey())
                            + "</text>");
        }
        parts.forEach(b::append);
    }

    static double x(Instant at, Instant from, Instant to) {
        double span = Math.max(1, Duration.between(from, to).toMillis());
        double f = Math.min(1, Math.max(0, Duration.between(from, at).toMillis() / span));
        return LEFT + f * (WIDTH - LEFT - RIGHT);
    }

    static double y(double v, double top, int height) {
        return height - BOTTOM - (top == 0 ? 0 : v / top * (height - TOP - BOTTOM));
    }

    /**
     * The axis' top: 1, 2 or 5 times a power of ten, at or above {@code max} (1 when there is
     * nothing).
     */
    static double niceTop(double max) {
        if (max <= 0) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(max)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= max) {
                return m * p;
            }
        }
        return 10 * p;
    }

    static String fmt(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e12) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** Counts per day and category, in the days' order. */
    static Map<LocalDate, Map<String, Integer>> perDay(List<Map.Entry<Instant, String>> events) {
        Map<LocalDate, Map<String, Integer>> out = new java.util.TreeMap<>();
        for (Map.Entry<Instant, String> e : events) {
            out.computeIfAbsent(
                            e.getKey().atZone(ZoneOffset.UTC).toLocalDate(),
                            d -> new LinkedHashMap<>())
                    .merge(e.getValue(), 1, Integer::sum);
        }
        return out;
    }
}

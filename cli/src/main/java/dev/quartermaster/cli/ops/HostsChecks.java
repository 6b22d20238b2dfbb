package dev.quartermaster.cli.ops;

import dev.quartermaster.common.Text;
import dev.quartermaster.contract.Host;
import dev.quartermaster.contract.HostDocument;
import dev.quartermaster.contract.HostParam;
import dev.quartermaster.host.CommandRunner;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The hosts check ({@link HostDocument#HOSTS_CHECK}) on every host: sent to each, each one's output
 * read back (SSM keeps it once the command ends; the local agent has it at once) and parsed into a
 * line per host and check. A host whose command could not be sent, or whose result never came, is a
 * failed line of its own: nothing is left out of the table.
 */
public final class HostsChecks {
    private HostsChecks() {}

    /** One check on one host: ok, failed or skipped, and what it found. */
    public record Line(String host, String check, String status, String detail) {
        public boolean failed() {
            return status.equals("failed");
        }
    }

    /** Waits between two reads of a command's output (a test passes one that does not sleep). */
    @FunctionalInterface
    public interface Pause {
        void pause(Duration d) throws InterruptedException;
    }

    static final String CHECK = "QM-CHECK ";
    static final String SUMMARY = "QM-HOSTS-CHECK ";

    /**
     * Sends the check to every host in {@code hosts}, then reads each result within {@code wait}.
     *
     * @param digest the manifest to read (null: the digest each host's compose project pins)
     */
    public static List<Line> run(
            CommandRunner runner,
            String document,
            List<Host> hosts,
            String digest,
            Duration wait,
            Pause pause)
            throws InterruptedException {
        HostDocument.Call call = HostDocument.HOSTS_CHECK.call();
        if (digest != null && !digest.isEmpty()) {
            call.with(HostParam.DIGEST, digest);
        }
        Map<String, String> parameters = call.parameters();
        List<Line> lines = new ArrayList<>();
        Map<Host, String> sent = new LinkedHashMap<>();
        for (Host h : hosts) {
            try {
                sent.put(h, runner.send(document, parameters, h, "Quartermaster hosts check"));
            } catch (CommandRunner.TargetException e) {
                lines.add(new Line(h.name(), "send", "failed", e.getMessage()));
            }
        }
        long deadline = System.nanoTime() + wait.toNanos();
        for (Map.Entry<Host, String> e : sent.entrySet()) {
            String output = null;
            while (true) {
                String o = runner.output(e.getValue()).orElse("");
                if (o.contains(SUMMARY)) {
                    output = o;
                    break;
                }
                if (System.nanoTime() > deadline) {
                    output = o;
                    break;
                }
                pause.pause(Duration.ofSeconds(2));
            }
            lines.addAll(parse(e.getKey().name(), e.getValue(), output));
        }
        return lines;
    }

    /** The lines of one host's output; an output without its summary is a failed line too. */
    static List<Line> parse(String host, String commandId, String output) {
        List<Line> lines = new ArrayList<>();
        boolean summary = false;
        for (String l : output.lines().toList()) {
            if (l.startsWith(CHECK)) {
                String[] parts = l.substring(CHECK.length()).split(" ", 3);
                if (parts.length >= 2) {
                    lines.add(
                            new Line(
                                    host,
                                    Text.oneLine(parts[0], 120),
                                    parts[1].matches("ok|failed|skipped") ? parts[1] : "failed",
                                    parts.length == 3 ? Text.oneLine(parts[2], 300) : ""));
                }
            } else if (l.startsWith(SUMMARY)) {
                summary = true;
            }
        }
        if (!summary) {
            String last =
                    output.lines()
                            .filter(x -> !x.startsWith(CHECK))
                            .reduce((a, b) -> b)
                            .orElse("no output");
            lines.add(
                    new Line(
                            host,
                            "document",
                            "failed",
                            "command "
                                    + commandId
                                    + " gave no result: "
                                    + Text.oneLine(last, 200)));
        }
        return lines;
    }

    /** A line per host and check, aligned; the detail last and whole (bounded by the script). */
    public static void print(List<Line> lines, PrintStream out) {
        int host = 4;
        int check = 5;
        for (Line l : lines) {
            host = Math.max(host, l.host().length());
            check = Math.max(check, l.check().length());
        }
        String format = "%-" + host + "s  %-" + check + "s  %-7s  %s%n";
        out.printf(format, "HOST", "CHECK", "STATUS", "DETAIL");
        for (Line l : lines) {
            out.printf(format, l.host(), l.check(), l.status(), l.detail());
        }
        long failed = lines.stream().filter(Line::failed).count();
        out.println(
                failed == 0
                        ? "every check passed (" + lines.size() + " lines)"
                        : failed + " check(s) failed");
    }
}

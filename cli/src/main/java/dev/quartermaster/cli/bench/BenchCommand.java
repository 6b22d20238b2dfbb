package dev.quartermaster.cli.bench;

import dev.quartermaster.cli.local.LocalEnvironment;
import dev.quartermaster.testkit.LocalDynamoDb;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Benchmarks that print figures (kept out of the test suite, which must not flake on a busy
 * machine).
 */
@Command(
        name = "bench",
        description =
                "Benchmarks: coldstart, verify, backup, archive, release, upkeep. Each prints its figures; the last line is the summary.")
public final class BenchCommand implements Callable<Integer> {

    @Parameters(
            index = "0",
            description = "coldstart | verify | backup | archive | release | upkeep")
    String which;

    @Option(
            names = "--runs",
            defaultValue = "3",
            description = "repetitions (median reported), default ${DEFAULT-VALUE}")
    int runs;

    @Option(
            names = "--compression",
            defaultValue = "zstd",
            description = "bench backup: zstd or gzip (default ${DEFAULT-VALUE}, as the product)")
    String compression;

    @Option(
            names = "--only",
            split = ",",
            paramLabel = "NAME",
            description =
                    "bench coldstart: only these functions (names as in the catalog, e.g. release-status,backup-status); "
                            + "skips image-action's old figures but for the empty handler they divide by")
    List<String> only;

    @Override
    public Integer call() throws Exception {
        return switch (which) {
            case "coldstart" -> coldstart();
            case "verify" -> VerifyBench.run(runs);
            case "backup" -> BackupBench.run(runs, compression);
            case "archive" -> ArchiveBench.run(Math.max(runs, 5));
            case "release" -> ReleaseBench.run(runs);
            case "upkeep" -> UpkeepBench.run();
            default -> {
                System.err.println(
                        "qm bench: unknown benchmark '"
                                + which
                                + "' (coldstart, verify, backup, archive, release, upkeep)");
                yield 2;
            }
        };
    }

    static Path functionJar(dev.quartermaster.contract.Bundle bundle) {
        Path jar = LocalEnvironment.home().resolve("functions/target/" + bundle.jarName());
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(
                    "the function jar "
                            + jar
                            + " is missing: run `mvn -B -DskipTests package` (bin/qm does it on first use)");
        }
        return jar;
    }

    private int coldstart() throws Exception {
        int runs =
                Math.max(
                        this.runs,
                        7); // a fresh JVM's start varies by tens of milliseconds here: medians of 7
        // at least
        Path jar = functionJar(dev.quartermaster.contract.Catalog.IMAGE_ACTION.bundle());
        Path probeClasses =
                Path.of(
                        ColdStartProbe.class
                                .getProtectionDomain()
                                .getCodeSource()
                                .getLocation()
                                .toURI());
        Path event = LocalEnvironment.home().resolve("events/image-action-push.json");
        List<dev.quartermaster.contract.FunctionSpec> functions;
        try {
            functions = ColdStartAll.selected(only);
        } catch (IllegalArgumentException e) {
            System.err.println("qm bench coldstart: " + e.getMessage());
            return 2;
        }
        try (LocalDynamoDb dynamo = LocalDynamoDb.inMemory();
                var client = dynamo.client()) {
            LocalDynamoDb.createLedgerTable(client, "bench");
            // production's settings: an alert topic too (its client is built at init under
            // SnapStart, on the first alert
            // otherwise; this event sends none, and the endpoint is DynamoDB Local's, so an SNS
            // call would fail the probe)
            Map<String, String> env =
                    Map.of(
                            "TABLE_NAME",
                            "bench",
                            "AWS_ENDPOINT_URL",
                            dynamo.endpoint(),
                            "AWS_REGION",
                            "us-east-1",
                            "AWS_ACCESS_KEY_ID",
                            "bench",
                            "AWS_SECRET_ACCESS_KEY",
                            "bench",
                            "AWS_EMF_ENVIRONMENT",
                            "Local",
                            "POWERTOOLS_METRICS_NAMESPACE",
                            "Quartermaster",
                            "POWERTOOLS_LOG_LEVEL",
                            "WARN",
                            "ALERT_TOPIC_ARN",
                            "arn:aws:sns:us-east-1:000000000000:qm-bench-alerts");
            String cp = jar + File.pathSeparator + probeClasses;
            List<Long> real = new ArrayList<>();
            List<Long> empty = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                Path ev = freshEvent(event); // a new event id each run, so every run records (not a
                // duplicate)
                empty.add(probe(cp, ColdStartProbe.EmptyHandler.class.getName(), ev, env).ms());
                if (only != null) { // --only: the empty handler's JVM is all the old ratio needs
                    Files.deleteIfExists(ev);
                    continue;
                }
                Probe p = probe(cp, "dev.quartermaster.ledger.ImageActionHandler", ev, env);
                real.add(p.ms());
                System.out.printf(
                        "run %d: image-action %d ms (%s), empty handler %d ms%n",
                        i + 1, p.ms(), p.phases(), empty.get(i));
                Files.deleteIfExists(ev);
            }
            // SnapStart, measured without a CRaC JVM: the snapshot holds the JVM after the
            // constructor (which primes the
            // whole first-event path); a restored function then pays the JVM's start plus the first
            // invoke after priming
            Map<String, String> snap = new java.util.HashMap<>(env);
            snap.put("AWS_LAMBDA_INITIALIZATION_TYPE", "snap-start");
            List<Long> primedInvoke = new ArrayList<>();
            for (int i = 0; i < (only == null ? runs : 0); i++) {
                Path ev = freshEvent(event);
                Probe primed = probe(cp, "dev.quartermaster.ledger.ImageActionHandler", ev, snap);
                Files.deleteIfExists(ev);
                primedInvoke.add(phase(primed.phases(), "invoke-ms"));
                System.out.printf("run %d with SnapStart priming: %s%n", i + 1, primed.phases());
            }
            long e = median(empty);
            if (only != null) {
                return coldstartOf(functions, e, probeClasses);
            }
            long r = median(real);
            long p = median(primedInvoke);
            double mb = 0;
            StringBuilder sizes = new StringBuilder();
            for (var bundle : dev.quartermaster.contract.Bundle.values()) {
                double size = Files.size(functionJar(bundle)) / (1024.0 * 1024.0);
                mb = Math.max(mb, size);
                sizes.append(String.format(" %s %.1f MB", bundle.classifier(), size));
            }
            System.out.println("function jars:" + sizes);
            System.out.printf(
                    "median: image-action first event %d ms, empty handler %d ms, first invoke after priming %d ms (fresh JVM each, %d runs)%n",
                    r, e, p, runs);
            System.out.printf(
                    "snapstart-ratio=%.2f coldstart-ratio=%.2f jar-mb=%.1f%n",
                    (double) (e + p) / e, (double) r / e, mb);
            System.out.printf(
                    "every function, primed, then its first event after the restore and %d warm ones, each event %d ms after the last (each its own jar, a fresh JVM per run):%n",
                    ColdStartAll.WARM, ColdStartAll.GAP_MS);
            return coldstartOf(functions, e, probeClasses);
        }
    }

    /** Each of {@code functions} primed, restored, its first event then warm ones; the summary. */
    private int coldstartOf(
            List<dev.quartermaster.contract.FunctionSpec> functions,
            long emptyMs,
            Path probeClasses)
            throws Exception {
        Path dir = Files.createTempDirectory("qm-bench-coldstart");
        try {
            ColdStartAll.Worst worst =
                    ColdStartAll.run(functions, Math.max(3, this.runs), emptyMs, probeClasses, dir);
            System.out.printf("snapstart-worst-ratio=%.2f (%s)%n", worst.ratio(), worst.name());
            System.out.printf(
                    "snapstart-first-vs-warm-worst=%.2f (%s)%n",
                    worst.firstVsWarm(), worst.firstVsWarmName());
        } finally {
            VerifyBench.deleteTree(dir);
        }
        return 0;
    }

    /**
     * One fresh JVM: wall time from spawn to exit, the probe's own init/invoke split, and the
     * status the handler returned.
     */
    record Probe(long ms, String phases, String status) {}

    static Path freshEvent(Path template) throws java.io.IOException {
        Path ev = Files.createTempFile("qm-event", ".json");
        Files.writeString(
                ev,
                Files.readString(template)
                        .replaceFirst(
                                "\"id\": \"[^\"]+\"",
                                "\"id\": \"bench-" + System.nanoTime() + "\""));
        return ev;
    }

    static Probe probe(String cp, String handler, Path event, Map<String, String> env)
            throws Exception {
        return probe(cp, handler, event, env, "RECORDED");
    }

    /**
     * As above; a real handler's result must have {@code status} (null: any but REJECTED; the empty
     * handler's is not checked).
     */
    static Probe probe(
            String cp, String handler, Path event, Map<String, String> env, String status)
            throws Exception {
        return probe(cp, handler, event, List.of(), env, status);
    }

    /**
     * As above, the same handler then given each of {@code warm} in the same JVM (the probe reports
     * each one's time).
     */
    static Probe probe(
            String cp,
            String handler,
            Path event,
            List<Path> warm,
            Map<String, String> env,
            String status)
            throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command =
                new ArrayList<>(
                        List.of(
                                java,
                                "-XX:+TieredCompilation",
                                "-XX:TieredStopAtLevel=1",
                                "-Dorg.crac.Core.Compat=dev.quartermaster.cli.crac"));
        // a diagnostic knob, e.g. QM_PROBE_JAVA_OPTS=-Xlog:class+load to see what the first invoke
        // still loads
        String extra = System.getenv("QM_PROBE_JAVA_OPTS");
        if (extra != null && !extra.isBlank()) {
            command.addAll(List.of(extra.trim().split("\\s+")));
        }
        command.addAll(
                List.of("-cp", cp, ColdStartProbe.class.getName(), handler, event.toString()));
        warm.forEach(w -> command.add(w.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        pb.environment().remove("AWS_PROFILE");
        long start = System.nanoTime();
        Process p = pb.start();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(
                    "probe for " + handler + " failed:\n" + new String(output));
        }
        String text = new String(output);
        if (System.getenv("QM_PROBE_JAVA_OPTS") != null) {
            Files.writeString(
                    Path.of(
                            System.getProperty("java.io.tmpdir"),
                            "qm-probe-" + handler.substring(handler.lastIndexOf('.') + 1) + ".log"),
                    text);
        }
        String result =
                text.lines().filter(l -> l.startsWith("result ")).reduce((a, b) -> b).orElse("");
        Matcher returned = Pattern.compile("^result \\{\"status\":\"([A-Z_]+)\"").matcher(result);
        String ended = returned.find() ? returned.group(1) : "";
        if (!handler.endsWith("EmptyHandler")
                && (status == null
                        ? ended.isEmpty() || ended.equals("REJECTED")
                        : !ended.equals(status))) {
            throw new IllegalStateException(
                    "probe for "
                            + handler
                            + " did not end "
                            + (status == null ? "with an outcome" : status)
                            + ":\n"
                            + text);
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        return new Probe(
                ms,
                text.lines()
                        .filter(l -> l.startsWith("QM_PROBE "))
                        .findFirst()
                        .map(l -> l.substring(9))
                        .orElse(""),
                ended);
    }

    /** A list phase ({@code warm-us=1,2,3}). */
    static List<Long> phases(String phases, String name) {
        for (String part : phases.split(" ")) {
            if (part.startsWith(name + "=")) {
                return java.util.Arrays.stream(part.substring(name.length() + 1).split(","))
                        .map(Long::parseLong)
                        .toList();
            }
        }
        throw new IllegalStateException("the probe reported no " + name + ": " + phases);
    }

    static long phase(String phases, String name) {
        for (String part : phases.split(" ")) {
            if (part.startsWith(name + "=")) {
                return Long.parseLong(part.substring(name.length() + 1));
            }
        }
        throw new IllegalStateException("the probe reported no " + name + ": " + phases);
    }

    static long median(List<Long> xs) {
        List<Long> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }
}

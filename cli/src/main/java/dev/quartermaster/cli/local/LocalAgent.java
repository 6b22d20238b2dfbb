package dev.quartermaster.cli.local;

import dev.quartermaster.contract.Host;
import dev.quartermaster.contract.HostDocument;
import dev.quartermaster.host.CommandRunner;
import dev.quartermaster.testkit.HostScripts;

import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The local stand-in for SSM Run Command and its agent: runs the same host script the SSM document
 * embeds, with bash, against the local MariaDB and S3, then produces the status-change event SSM
 * would send, for the backup-status handler.
 */
public final class LocalAgent implements CommandRunner {
    static final String DUMP_DOCUMENT = HostDocument.DUMP.localName();
    static final String RESTORE_DOCUMENT = HostDocument.RESTORE.localName();
    static final String DRILL_DOCUMENT = HostDocument.DRILL.localName();
    public static final String RELEASE_DOCUMENT = HostDocument.RELEASE.localName();
    public static final String CHECK_DOCUMENT = HostDocument.RELEASE_CHECK.localName();

    /**
     * The instance the local agent stands for, in EC2's id shape (SSM's events name one; "i-" and
     * 17 hex digits).
     */
    public static final String INSTANCE_ID = "i-0123456789abcdef0";

    private static final java.time.format.DateTimeFormatter MILLIS =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
                    .withZone(java.time.ZoneOffset.UTC);

    /** A command that ran, as SSM would report it; {@code requestedAt} is when it was sent. */
    public record Finished(
            String commandId,
            String document,
            String status,
            HostScripts.Run run,
            Instant requestedAt) {
        public Finished(String commandId, String document, String status, HostScripts.Run run) {
            this(commandId, document, status, run, Instant.now());
        }
    }

    private final HostScripts scripts;
    private final PrintStream console;
    private final List<Finished> finished = new ArrayList<>();
    private final Map<String, String> outputs = new HashMap<>();
    private Map<String, String> siteEnv = Map.of();
    private java.util.function.Consumer<String> steps = line -> {};

    /** The local site the release documents act on (what the stack fixes in the SSM document). */
    public synchronized LocalAgent withSite(Map<String, String> env) {
        this.siteEnv = Map.copyOf(env);
        return this;
    }

    /** Receives each QM-STEP line of a release as the script prints it. */
    public synchronized LocalAgent onStep(java.util.function.Consumer<String> listener) {
        this.steps = listener;
        return this;
    }

    public LocalAgent(HostScripts scripts, PrintStream console) {
        this.scripts = scripts;
        this.console = console;
    }

    @Override
    public synchronized String send(
            String document, Map<String, String> parameters, Host host, String comment) {
        HostDocument doc =
                HostDocument.byLocalName(document)
                        .orElseThrow(
                                () ->
                                        new IllegalArgumentException(
                                                "the local agent knows only "
                                                        + java.util.Arrays.stream(
                                                                        HostDocument.values())
                                                                .map(HostDocument::localName)
                                                                .toList()));
        String script = doc.script();
        // what the document would export: its parameters (defaults where not passed) and its fixed
        // values, the contract's
        Map<String, String> env = new HashMap<>(doc.environment(parameters));
        env.put("QM_CONTAINER", ""); // locally MariaDB runs on this machine, not in a container
        boolean release = !doc.siteVariables().isEmpty();
        if (release) {
            if (!siteEnv.keySet().containsAll(doc.siteVariables())) {
                throw new IllegalStateException(
                        "no local site to release to (it needs " + doc.siteVariables() + ")");
            }
            env.putAll(siteEnv);
        }
        String commandId = UUID.randomUUID().toString();
        Instant requestedAt = Instant.now();
        if (console != null) {
            console.println(
                    "  [local agent] "
                            + document
                            + " ("
                            + script
                            + ") as command "
                            + commandId.substring(0, 8));
        }
        java.util.function.Consumer<String> listener = steps;
        HostScripts.Run run =
                release
                        ? scripts.run(
                                script,
                                env,
                                Map.of(),
                                null,
                                line -> {
                                    if (line.startsWith("QM-STEP ")) {
                                        listener.accept(line);
                                    }
                                })
                        : scripts.run(script, env);
        finished.add(
                new Finished(
                        commandId, document, run.ok() ? "Success" : "Failed", run, requestedAt));
        outputs.put(commandId, run.output());
        return commandId;
    }

    @Override
    public synchronized java.util.Optional<String> output(String commandId) {
        return java.util.Optional.ofNullable(outputs.get(commandId));
    }

    /** The status events of the commands that ran since the last call. */
    public synchronized List<Finished> drain() {
        List<Finished> out = List.copyOf(finished);
        finished.clear();
        return out;
    }

    /**
     * The "EC2 Command Invocation Status-change Notification" SSM sends when the command finished,
     * shaped as the Run Command sample (events/SOURCES.md, SSM-EB): the instance as id and as the
     * resource's ARN, {@code requested-date-time} in milliseconds when the command was sent, the
     * event's {@code time} in whole seconds, not before it.
     */
    public static String statusEvent(Finished f) {
        Instant requested = f.requestedAt().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        Instant now = Instant.now().isBefore(requested) ? requested : Instant.now();
        Instant time = now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        time =
                time.isBefore(now)
                        ? time.plusSeconds(1)
                        : time; // whole seconds, never before the request
        return "{\"version\":\"0\",\"id\":\""
                + UUID.randomUUID()
                + "\",\"detail-type\":\"EC2 Command Invocation Status-change Notification\","
                + "\"source\":\"aws.ssm\",\"account\":\"000000000000\",\"time\":\""
                + time
                + "\",\"region\":\"us-east-1\",\"resources\":[\"arn:aws:ec2:us-east-1:000000000000:instance/"
                + INSTANCE_ID
                + "\"],"
                + "\"detail\":{\"command-id\":\""
                + f.commandId()
                + "\",\"document-name\":\""
                + f.document()
                + "\",\"instance-id\":\""
                + INSTANCE_ID
                + "\",\"requested-date-time\":\""
                + MILLIS.format(requested)
                + "\",\"status\":\""
                + f.status()
                + "\"}}";
    }
}

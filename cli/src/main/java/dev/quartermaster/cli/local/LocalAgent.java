package dev.quartermaster.cli.local;

import dev.quartermaster.contract.Host;
import dev.quartermaster.contract.HostDocument;
import dev.quartermaster.host.CommandRunner;
import dev.quartermaster.host.CommandRunner.TargetException;
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
 *
 * <p>As SSM's tag targets do, a command goes to the host whose tag it names, among the configured
 * {@code hosts} ({@link #withSites}): a release document runs against that host's local site (its
 * compose project and port), the database documents against this machine's MariaDB, which is the
 * database host. A tag no configured host carries sends nothing.
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

    /**
     * A command that ran, as SSM would report it; {@code requestedAt} is when it was sent, {@code
     * host} the configured host it ran on and {@code instanceId} the instance that stands for it.
     */
    public record Finished(
            String commandId,
            String document,
            String status,
            HostScripts.Run run,
            Instant requestedAt,
            String host,
            String instanceId) {
        public Finished(
                String commandId,
                String document,
                String status,
                HostScripts.Run run,
                Instant requestedAt) {
            this(commandId, document, status, run, requestedAt, Host.DEFAULT_NAME, INSTANCE_ID);
        }

        public Finished(String commandId, String document, String status, HostScripts.Run run) {
            this(commandId, document, status, run, Instant.now());
        }
    }

    /**
     * The instance standing for a host locally: {@link #INSTANCE_ID} for the one-host
     * configuration's host, else one derived from the host's name (EC2's shape, stable per name).
     */
    public static String instanceId(String host) {
        if (Host.DEFAULT_NAME.equals(host)) {
            return INSTANCE_ID;
        }
        long h = 1125899906842597L;
        for (char c : host.toCharArray()) {
            h = 31 * h + c;
        }
        return "i-" + String.format("%017x", h & 0xfffffffffffffffL).substring(0, 17);
    }

    /** The variable naming the host a document runs on, where the document has it. */
    static final String HOST_NAME_VARIABLE = "QM_HOST_NAME";

    private final HostScripts scripts;
    private final PrintStream console;
    private final List<Finished> finished = new ArrayList<>();
    private final Map<String, String> outputs = new HashMap<>();
    private List<Host> hosts = List.of();
    private java.util.function.Function<String, Map<String, String>> siteEnv = host -> Map.of();
    private java.util.function.Consumer<String> steps = line -> {};

    /**
     * The one local site every release document acts on, whichever host it targets (what the stack
     * fixes in the SSM document).
     */
    public synchronized LocalAgent withSite(Map<String, String> env) {
        Map<String, String> copy = Map.copyOf(env);
        this.siteEnv = host -> copy;
        return this;
    }

    /**
     * The hosts this agent stands for and their sites: a command runs on the configured host whose
     * tag it targets, a release document against that host's site.
     */
    public synchronized LocalAgent withSites(
            List<Host> hosts, java.util.function.Function<String, Map<String, String>> siteEnv) {
        this.hosts = List.copyOf(hosts);
        this.siteEnv = siteEnv;
        return this;
    }

    /** The local environment's hosts ({@code hosts} with the -c overrides) and their sites. */
    public LocalAgent withSites(LocalEnvironment local) {
        return withSites(local.hosts().hosts(), host -> local.site(host).scriptEnv());
    }

    /**
     * The configured host the command's target names, as SSM resolves a tag target.
     *
     * @throws TargetException when no configured host carries the tag (nothing runs)
     */
    private Host target(Host requested) {
        if (hosts.isEmpty()) {
            return requested; // no list: the host asked for is the one this agent stands for
        }
        List<Host> carrying =
                hosts.stream()
                        .filter(
                                h ->
                                        h.tagKey().equals(requested.tagKey())
                                                && h.tagValue().equals(requested.tagValue()))
                        .toList();
        if (carrying.size() != 1) {
            throw new TargetException(
                    carrying.size()
                            + " local hosts carry the tag "
                            + requested.tagKey()
                            + "="
                            + requested.tagValue()
                            + " (hosts: "
                            + String.join(
                                    ", ",
                                    hosts.stream()
                                            .map(
                                                    h ->
                                                            h.name()
                                                                    + " "
                                                                    + h.tagKey()
                                                                    + "="
                                                                    + h.tagValue())
                                            .toList())
                            + "); nothing was sent");
        }
        return carrying.get(0);
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
        Host target = target(host);
        boolean release = !doc.siteVariables().isEmpty();
        if (release) {
            // the hosts check runs on every host, a database-only one included (its site: the
            // shared endpoints, no compose project); a release document only on an app host
            if (!target.runs(Host.Role.APP) && doc != HostDocument.HOSTS_CHECK) {
                throw new TargetException(
                        "host "
                                + target.name()
                                + " does not run the app: no local site to release to");
            }
            Map<String, String> site = siteEnv.apply(target.name());
            if (!site.keySet().containsAll(doc.siteVariables())) {
                throw new IllegalStateException(
                        "no local site to release to (it needs " + doc.siteVariables() + ")");
            }
            env.putAll(site);
        }
        if (env.containsKey(HOST_NAME_VARIABLE) && env.get(HOST_NAME_VARIABLE).isEmpty()) {
            env.put(HOST_NAME_VARIABLE, target.name()); // the document's own, when not passed
        }
        String commandId = UUID.randomUUID().toString();
        Instant requestedAt = Instant.now();
        if (console != null) {
            console.println(
                    "  [local agent] "
                            + (hosts.isEmpty() ? "" : target.name() + ": ")
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
                        commandId,
                        document,
                        run.ok() ? "Success" : "Failed",
                        run,
                        requestedAt,
                        target.name(),
                        instanceId(target.name())));
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
                + f.instanceId()
                + "\"],"
                + "\"detail\":{\"command-id\":\""
                + f.commandId()
                + "\",\"document-name\":\""
                + f.document()
                + "\",\"instance-id\":\""
                + f.instanceId()
                + "\",\"requested-date-time\":\""
                + MILLIS.format(requested)
                + "\",\"status\":\""
                + f.status()
                + "\"}}";
    }
}

package dev.quartermaster.backup;

import dev.quartermaster.common.Text;
import dev.quartermaster.contract.HostDocument;
import dev.quartermaster.contract.HostParam;
import dev.quartermaster.host.CommandRunner;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@link DatabaseHost} over the host documents: the fingerprint document (read-only) and the
 * restore document, sent to the database host and awaited. Locally the agent runs them as they are
 * sent (no status: the output is the outcome); through SSM the invocation's status is polled.
 */
public final class HostDatabase implements DatabaseHost {
    /** The restore's last stdout line on success (backup-restore.sh). */
    static final String RESTORE_PASS = "qm-restore: PASS ";

    private static final Set<String> TERMINAL =
            Set.of(
                    "Success",
                    "Failed",
                    "Cancelled",
                    "TimedOut",
                    "DeliveryTimedOut",
                    "ExecutionTimedOut",
                    "Undeliverable",
                    "Terminated",
                    "InvalidPlatform",
                    "AccessDenied");

    private final BackupConfig config;
    private final CommandRunner commands;
    private final String fingerprintDocument;
    private final String restoreDocument;
    private final Duration poll;

    public HostDatabase(
            BackupConfig config,
            CommandRunner commands,
            String fingerprintDocument,
            String restoreDocument,
            Duration poll) {
        this.config = config;
        this.commands = commands;
        this.fingerprintDocument = fingerprintDocument;
        this.restoreDocument = restoreDocument;
        this.poll = poll;
    }

    @Override
    public SchemaFingerprint liveFingerprint() {
        if (fingerprintDocument == null || fingerprintDocument.isBlank()) {
            throw new Unavailable(
                    "the stack has no fingerprint document (FingerprintDocumentName): redeploy with this version");
        }
        Map<String, String> params =
                HostDocument.FINGERPRINT
                        .call()
                        .with(HostParam.DATABASE, config.database())
                        .with(HostParam.CONTAINER, config.container())
                        .with(HostParam.PASSWORD_PARAMETER, config.passwordParameter())
                        .parameters();
        String output =
                run(
                        fingerprintDocument,
                        params,
                        "Quartermaster schema fingerprint of " + config.database(),
                        Duration.ofMinutes(5));
        return SchemaFingerprint.parse(output)
                .orElseThrow(
                        () ->
                                new Unavailable(
                                        "the fingerprint document printed no QM-SCHEMA line: "
                                                + tail(output)));
    }

    @Override
    public String restore(String key) {
        Map<String, String> params =
                HostDocument.RESTORE
                        .call()
                        .with(HostParam.BUCKET, config.bucket())
                        .with(HostParam.KEY, key)
                        .with(HostParam.DATABASE, config.database())
                        .with(HostParam.CONTAINER, config.container())
                        .with(HostParam.PASSWORD_PARAMETER, config.passwordParameter())
                        .parameters();
        String output =
                run(
                        restoreDocument,
                        params,
                        "Quartermaster restore of " + config.database() + " (rollback)",
                        Duration.ofMinutes(60));
        return output.lines()
                .filter(l -> l.startsWith(RESTORE_PASS))
                .reduce((a, b) -> b)
                .map(l -> Text.oneLine(l, 400))
                .orElseThrow(
                        () ->
                                new Unavailable(
                                        "the restore of "
                                                + key
                                                + " did not pass: "
                                                + tail(output)));
    }

    /** Sends one document to the database host and waits until it ended; its output. */
    private String run(
            String document, Map<String, String> params, String comment, Duration timeout) {
        String id;
        try {
            id = commands.send(document, params, config.host(), comment);
        } catch (CommandRunner.TargetException e) {
            throw new Unavailable("nothing sent: " + e.getMessage());
        }
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<String> status = commands.status(id);
            Optional<String> output = commands.output(id);
            boolean ended =
                    status.map(TERMINAL::contains)
                            // no status: the runner ran it as it was sent (the local agent)
                            .orElse(output.isPresent());
            if (ended) {
                return output.orElse("")
                        + (status.isPresent() ? "\n(status " + status.get() + ")" : "");
            }
            if (System.nanoTime() > end) {
                throw new Unavailable(
                        "command " + id + " did not end within " + timeout.toMinutes() + " min");
            }
            try {
                Thread.sleep(poll.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Unavailable("interrupted while waiting for command " + id);
            }
        }
    }

    private static String tail(String output) {
        String o = output == null ? "" : output.strip();
        return Text.oneLine(o.length() > 600 ? o.substring(o.length() - 600) : o, 600);
    }
}

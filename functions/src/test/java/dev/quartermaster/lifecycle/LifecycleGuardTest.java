package dev.quartermaster.lifecycle;

import dev.quartermaster.ledger.ImageAction;
import dev.quartermaster.ledger.ImageLedger;
import dev.quartermaster.ledger.ImageRecord;
import dev.quartermaster.ledger.ImageVerdict;
import dev.quartermaster.ledger.InMemoryLedgerStore;
import dev.quartermaster.registry.InMemoryImageTags;
import dev.quartermaster.release.InMemoryReleaseStore;
import dev.quartermaster.release.ReleaseConfig;
import dev.quartermaster.release.ReleaseProtection;
import dev.quartermaster.release.ReleaseRecord;
import dev.quartermaster.release.ReleaseService;
import dev.quartermaster.testutils.RecordingAlerts;
import dev.quartermaster.testutils.RecordingCommands;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lifecycle guard and its function, on the in-memory twins, with a release running as the
 * release switch records it.
 */
class LifecycleGuardTest {
    private static final String V1 = "sha256:" + "1".repeat(64);
    private static final String V2 = "sha256:" + "2".repeat(64);
    private static final String V4 = "sha256:" + "4".repeat(64);
    private final InMemoryLedgerStore ledger = new InMemoryLedgerStore();
    private final RecordingCommands commands = new RecordingCommands();
    private final RecordingAlerts alerts = new RecordingAlerts();
    private final InMemoryImageTags tags = new InMemoryImageTags();
    private final ReleaseService service =
            new ReleaseService(
                    new ReleaseConfig(
                            "wordpress",
                            "wordpress",
                            "registry.example/wordpress",
                            "QuartermasterRelease",
                            "QuartermasterReleaseCheck",
                            dev.quartermaster.contract.Host.parseList(
                                    dev.quartermaster.contract.Setting.HOSTS.defaultValue())),
                    new InMemoryReleaseStore(),
                    ledger,
                    commands,
                    new ReleaseProtection(tags, Duration.ofDays(7), Clock.systemUTC()),
                    alerts,
                    Clock.systemUTC());

    LifecycleGuardTest() {
        push("e4", "wp-6.6-v4", V4, "6.6.1");
        push("e1", "wp-6.4-v1", V1, "6.4.3");
        push("e2", "wp-6.5-v2", V2, "6.5.5");
    }

    private void push(String event, String tag, String digest, String found) {
        tags.image("wordpress", digest, tag);
        new ImageLedger(ledger, alerts)
                .record(
                        new ImageAction(
                                event,
                                Instant.now(),
                                ImageAction.Kind.PUSH,
                                true,
                                "wordpress",
                                digest,
                                tag,
                                null,
                                null));
        ledger.recordVerification(
                "wordpress",
                digest,
                new ImageRecord.Verification(
                        ImageVerdict.VERIFIED, "6.x", found, "ok", 10, 100, Instant.now()));
    }

    /** Releases {@code tag}; the host reports it running {@code running}. */
    private void released(String tag, String running, String version) {
        ReleaseRecord r =
                service.start(
                        service.plan("wordpress:" + tag, null),
                        "backups/wordpress/k.sql.zst",
                        "alice",
                        ReleaseRecord.Kind.RELEASE);
        commands.output(
                r.commandId(),
                "QM-STEP pull ok 10 x\nQM-RELEASE {\"result\":\"RELEASED\",\"running\":\""
                        + running
                        + "\",\"version\":\""
                        + version
                        + "\",\"reason\":\"r\",\"steps\":[{\"step\":\"pull\",\"status\":\"ok\",\"ms\":10}]}\n");
        service.onStatus(r.commandId(), "Success", "QuartermasterRelease");
    }

    private static String mark(String digest) {
        return ReleaseProtection.tagFor(digest);
    }

    @Test
    void theGuard_alertsWhenLifecycleExpiresAProtectedOrUnarchivedImage_namingTheArchiveEntry() {
        released("wp-6.4-v1", V1, "6.4.3");
        ledger.recordArchive("wordpress", V1, new ImageRecord.Archive(true, 100, 0, Instant.now()));
        ledger.recordArchive("wordpress", V2, new ImageRecord.Archive(true, 100, 0, Instant.now()));
        RecordingAlerts alerts = new RecordingAlerts();
        var guard = new LifecycleGuard(service, ledger, alerts);

        var harmless = guard.check(policyEvent("ev-1", V2, "wp-6.5-v2"));
        assertThat(harmless).as("archived, not running, not marked").isEmpty();
        assertThat(alerts.published()).isEmpty();

        var losses = guard.check(policyEvent("ev-2", V1, "wp-6.4-v1\", \"" + mark(V1)));
        assertThat(losses).hasSize(1);
        assertThat(losses.get(0).why())
                .anyMatch(w -> w.contains("release mark"))
                .anyMatch(w -> w.contains("runs on an app host"));
        assertThat(alerts.kinds()).containsExactly("LIFECYCLE_LOSS");
        assertThat(alerts.published().get(0).message())
                .contains("bin/qm archive restore wordpress@" + V1);

        alerts = new RecordingAlerts();
        guard = new LifecycleGuard(service, ledger, alerts);
        var lost = guard.check(policyEvent("ev-3", V4, "wp-6.6-v4"));
        assertThat(lost).hasSize(1);
        assertThat(alerts.published().get(0).message()).contains("No archive entry holds it");
    }

    static dev.quartermaster.events.EcrPolicyExecution policyEvent(
            String id, String digest, String tags) {
        String json =
                """
                {"version":"0","id":"%s","detail-type":"AWS Service Event via CloudTrail","source":"aws.ecr","account":"123456789012",
                 "time":"2026-11-20T03:00:00Z","region":"eu-west-1","resources":[],
                 "detail":{"eventVersion":"1.08","eventSource":"ecr.amazonaws.com","eventName":"PolicyExecutionEvent","eventType":"AwsServiceEvent",
                  "serviceEventDetails":{"repositoryName":"wordpress",
                   "lifecycleEventPolicy":{"lifecycleEventRules":[{"rulePriority":2,"description":"keep 5","lifecycleEventSelection":
                     {"tagStatus":"Tagged","tagPrefixList":["wp-"],"countType":"Image count more than","countNumber":5},"action":"expire"}],
                    "lastEvaluatedAt":0,"policyVersion":1,"policyId":"ceb86829-58e7-9498-920c-aa042e33037b"},
                   "lifecycleEventImageActions":[{"lifecycleEventImage":{"digest":"%s","tagStatus":"Tagged","tagList":["%s"],
                     "pushedAt":1584042813000},"rulePriority":2}]}}}
                """
                        .formatted(id, digest, tags);
        return dev.quartermaster.events.EcrPolicyExecution.parse(
                dev.quartermaster.events.EventParser.readTree(json.getBytes()));
    }

    @Test
    void theGuardFunction_checksEachLifecycleRunOnce_andAlertsForTheRunningImage() {
        released("wp-6.4-v1", V1, "6.4.3"); // V1 runs; events/ecr-lifecycle-expired.json expires it
        RecordingAlerts alerts = new RecordingAlerts();
        var hearing = new InMemoryLifecycleHearing();
        var handler =
                new LifecycleGuardHandler(
                        new LifecycleGuard(service, ledger, alerts),
                        new dev.quartermaster.idempotency.InMemoryIdempotencyStore(),
                        hearing);
        assertThat(hearing.lastHeard("wordpress")).isNull();

        var first =
                dev.quartermaster.testutils.Invoke.handler(handler, "ecr-lifecycle-expired.json");
        var again =
                dev.quartermaster.testutils.Invoke.handler(handler, "ecr-lifecycle-expired.json");

        assertThat(hearing.lastHeard("wordpress"))
                .as("the guard records that it heard a lifecycle run of the repository")
                .isEqualTo(
                        dev.quartermaster.events.EcrPolicyExecution.parse(
                                        dev.quartermaster.events.EventParser.readTree(
                                                dev.quartermaster.testutils.Fixtures.event(
                                                        "ecr-lifecycle-expired.json")))
                                .at());

        assertThat(first.path("status").asText()).isEqualTo("RECORDED");
        assertThat(first.path("message").asText()).startsWith("LIFECYCLE_LOSS");
        assertThat(again.path("status").asText()).isEqualTo("DUPLICATE");
        assertThat(alerts.kinds()).containsExactly("LIFECYCLE_LOSS");
        assertThat(alerts.published().get(0).message())
                .contains("runs on an app host")
                .contains("No archive entry holds it");
    }
}

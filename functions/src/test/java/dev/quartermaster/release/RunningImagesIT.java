package dev.quartermaster.release;

import dev.quartermaster.contract.Host;
import dev.quartermaster.ledger.DynamoDbRunningImages;
import dev.quartermaster.ledger.RunningImages;
import dev.quartermaster.testutils.LocalLedger;
import dev.quartermaster.testutils.RecordingAlerts;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * image-scan's reader of what the hosts run agrees with what the release store writes (DynamoDB
 * Local).
 */
class RunningImagesIT {
    static final String OLD = "sha256:" + "1".repeat(64);
    static final String NEW = "sha256:" + "2".repeat(64);

    @Test
    void theLastGoodReleaseIsWhatRuns_checksAndFailuresNeverCount() {
        var p = LocalLedger.platform(LocalLedger.freshTableSettings(), new RecordingAlerts());
        ReleaseStore store = ReleaseRoot.store(p);
        Instant t = Instant.parse("2026-11-30T10:00:00Z");
        release(store, "c1", t, ReleaseRecord.Status.RELEASED, OLD);
        release(store, "c2", t.plusSeconds(60), ReleaseRecord.Status.FAILED, NEW);
        store.create(
                new ReleaseRecord(
                        "wordpress",
                        "web",
                        "c3",
                        ReleaseRecord.Kind.CHECK,
                        ReleaseRecord.Status.CHECKED,
                        "wordpress",
                        null,
                        null,
                        null,
                        null,
                        "qm",
                        t.plusSeconds(120),
                        null,
                        null,
                        NEW,
                        null,
                        null,
                        null,
                        t.plusSeconds(121)));
        List<Host> hosts =
                Host.parseList(
                        "[{\"name\":\"web\",\"tagKey\":\"k\",\"tagValue\":\"v\",\"roles\":[\"app\"]},"
                                + "{\"name\":\"db\",\"tagKey\":\"k\",\"tagValue\":\"d\",\"roles\":[\"database\"]}]");

        List<RunningImages.Running> running =
                new DynamoDbRunningImages(p.dynamoDb(), p.table(), "wordpress", hosts).running();

        assertThat(running).hasSize(1);
        assertThat(running.get(0).digest()).isEqualTo(OLD);
        assertThat(running.get(0).host()).isEqualTo("web");
        assertThat(running.get(0).tag()).isEqualTo("wp-6.4-v1");
        assertThat(running)
                .allMatch(
                        r ->
                                r.digest()
                                        .equals(
                                                ReleaseService.lastGoodIn(
                                                                store
                                                                        .list("wordpress", "web")
                                                                        .stream()
                                                                        .filter(
                                                                                x ->
                                                                                        x.kind()
                                                                                                != ReleaseRecord
                                                                                                        .Kind
                                                                                                        .CHECK)
                                                                        .toList())
                                                        .orElseThrow()
                                                        .running()));
    }

    private static void release(
            ReleaseStore store,
            String id,
            Instant at,
            ReleaseRecord.Status outcome,
            String digest) {
        ReleaseRecord r =
                new ReleaseRecord(
                        "wordpress",
                        "web",
                        id,
                        ReleaseRecord.Kind.RELEASE,
                        ReleaseRecord.Status.RUNNING,
                        "wordpress",
                        "wp-6.4-v1",
                        digest,
                        "6.4",
                        null,
                        "qm",
                        at,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null);
        store.create(r);
        store.settle(
                r.settled(
                        outcome,
                        outcome == ReleaseRecord.Status.RELEASED ? digest : null,
                        "6.4.2",
                        "ok",
                        "[]",
                        at.plusSeconds(30)));
    }
}

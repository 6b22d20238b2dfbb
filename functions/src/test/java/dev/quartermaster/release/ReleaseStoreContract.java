package dev.quartermaster.release;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** What every {@link ReleaseStore} does; run on the in-memory twin and on DynamoDB Local. */
abstract class ReleaseStoreContract {
    protected abstract ReleaseStore store();

    static ReleaseRecord running(
            String app, String commandId, Instant at, ReleaseRecord.Kind kind) {
        return new ReleaseRecord(
                app,
                "web-1",
                commandId,
                kind,
                ReleaseRecord.Status.RUNNING,
                "wordpress",
                "wp-6.4-v1",
                "sha256:" + "a".repeat(64),
                "6.4.3",
                null,
                "alice",
                at,
                "backups/wordpress/x.sql.zst",
                null,
                null,
                null,
                null,
                null,
                null);
    }

    @Test
    void create_isOncePerCommand_andSettleOnlyFromRunning() {
        ReleaseStore s = store();
        ReleaseRecord r =
                running(
                        "wp",
                        "cmd-1",
                        Instant.parse("2026-11-27T10:00:00Z"),
                        ReleaseRecord.Kind.RELEASE);
        assertThat(s.create(r)).isTrue();
        assertThat(s.create(r)).isFalse();

        ReleaseRecord done =
                r.settled(
                        ReleaseRecord.Status.ROLLED_BACK,
                        "sha256:" + "b".repeat(64),
                        "6.4.2",
                        "probe failed",
                        "[]",
                        Instant.now());
        assertThat(s.settle(done)).isTrue();
        assertThat(
                        s.settle(
                                done.settled(
                                        ReleaseRecord.Status.RELEASED,
                                        null,
                                        null,
                                        null,
                                        null,
                                        Instant.now())))
                .isFalse();

        ReleaseRecord read = s.byCommandId("cmd-1").orElseThrow();
        assertThat(read.status()).isEqualTo(ReleaseRecord.Status.ROLLED_BACK);
        assertThat(read.running()).isEqualTo("sha256:" + "b".repeat(64));
        assertThat(read.restorePoint()).isEqualTo("backups/wordpress/x.sql.zst");
        assertThat(read.reason()).isEqualTo("probe failed");
        assertThat(s.byCommandId("cmd-unknown")).isEmpty();
    }

    @Test
    void list_isNewestFirst_perAppAndHost() {
        ReleaseStore s = store();
        s.create(
                running(
                        "wp",
                        "c1",
                        Instant.parse("2026-11-27T10:00:00Z"),
                        ReleaseRecord.Kind.RELEASE));
        s.create(
                running(
                        "wp",
                        "c3",
                        Instant.parse("2026-11-27T12:00:00Z"),
                        ReleaseRecord.Kind.CHECK));
        s.create(
                running(
                        "wp",
                        "c2",
                        Instant.parse("2026-11-27T11:00:00Z"),
                        ReleaseRecord.Kind.ROLLBACK));
        s.create(
                running(
                        "other",
                        "c4",
                        Instant.parse("2026-11-27T13:00:00Z"),
                        ReleaseRecord.Kind.RELEASE));

        ReleaseRecord otherHost =
                running(
                        "wp",
                        "c5",
                        Instant.parse("2026-11-27T14:00:00Z"),
                        ReleaseRecord.Kind.RELEASE);
        s.create(
                new ReleaseRecord(
                        otherHost.app(),
                        "web-2",
                        otherHost.commandId(),
                        otherHost.kind(),
                        otherHost.status(),
                        otherHost.repository(),
                        otherHost.tag(),
                        otherHost.toDigest(),
                        otherHost.expectedVersion(),
                        null,
                        "bob",
                        otherHost.requestedAt(),
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null));

        assertThat(s.list("wp", "web-1"))
                .extracting(ReleaseRecord::commandId)
                .containsExactly("c3", "c2", "c1");
        assertThat(s.list("wp", "web-1").get(0).kind()).isEqualTo(ReleaseRecord.Kind.CHECK);
        assertThat(s.list("wp", "web-2"))
                .extracting(ReleaseRecord::commandId)
                .containsExactly("c5");
        assertThat(s.byCommandId("c5").orElseThrow().host()).isEqualTo("web-2");
    }
}

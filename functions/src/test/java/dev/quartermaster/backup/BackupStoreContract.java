package dev.quartermaster.backup;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** What every {@link BackupStore} does; run on the in-memory twin and on DynamoDB Local. */
abstract class BackupStoreContract {
    protected abstract BackupStore store();

    private static BackupRecord running(
            BackupRecord.Kind kind, String db, String commandId, String at) {
        return BackupRecord.running(
                kind,
                db,
                Instant.parse(at),
                commandId,
                "backups/" + db + "/" + commandId + ".sql.zst",
                null);
    }

    @Test
    void create_isOncePerCommand_andSettleOnlyFromRunning() {
        BackupStore s = store();
        BackupRecord r =
                running(BackupRecord.Kind.BACKUP, "wordpress", "cmd-1", "2026-11-30T03:00:00Z");
        assertThat(s.create(r)).isTrue();
        assertThat(s.create(r)).isFalse();

        BackupRecord verified =
                r.verified(1234, "ab".repeat(32), 5, 42, 900, Instant.parse("2026-11-30T03:01:00Z"))
                        .withSchema(new SchemaFingerprint("cd".repeat(32), "57155", 5));
        assertThat(s.settle(verified)).isTrue();
        assertThat(s.settle(r.failed("late", Instant.parse("2026-11-30T03:02:00Z"))))
                .as("a settled record stays settled")
                .isFalse();

        BackupRecord read = s.byCommandId("cmd-1").orElseThrow();
        assertThat(read.status()).isEqualTo(BackupRecord.Status.VERIFIED);
        assertThat(read.bytes()).isEqualTo(1234);
        assertThat(read.sha256()).isEqualTo("ab".repeat(32));
        assertThat(read.key()).isEqualTo("backups/wordpress/cmd-1.sql.zst");
        assertThat(read.schema())
                .as("the schema fingerprint the dump printed, for bin/qm rollback")
                .contains(new SchemaFingerprint("cd".repeat(32), "57155", -1));
        assertThat(s.byCommandId("cmd-unknown")).isEmpty();
        assertThat(
                        s.settle(
                                running(
                                                BackupRecord.Kind.BACKUP,
                                                "wordpress",
                                                "never-created",
                                                "2026-11-30T04:00:00Z")
                                        .failed("x", Instant.now())))
                .as("nothing to settle")
                .isFalse();
    }

    @Test
    void list_isNewestFirst_perKindAndDatabase_andLatestVerifiedSkipsFailures() {
        BackupStore s = store();
        BackupRecord old =
                running(BackupRecord.Kind.BACKUP, "wordpress", "b1", "2026-11-28T03:00:00Z");
        BackupRecord mid =
                running(BackupRecord.Kind.BACKUP, "wordpress", "b2", "2026-11-29T03:00:00Z");
        BackupRecord last =
                running(BackupRecord.Kind.BACKUP, "wordpress", "b3", "2026-11-30T03:00:00Z");
        for (BackupRecord r : new BackupRecord[] {old, mid, last}) {
            s.create(r);
        }
        s.create(running(BackupRecord.Kind.DRILL, "wordpress", "d1", "2026-11-30T04:00:00Z"));
        s.create(running(BackupRecord.Kind.BACKUP, "shop", "o1", "2026-11-30T05:00:00Z"));
        s.settle(old.verified(1, "01".repeat(32), 1, 1, 1, Instant.parse("2026-11-28T03:01:00Z")));
        s.settle(mid.verified(2, "02".repeat(32), 1, 1, 1, Instant.parse("2026-11-29T03:01:00Z")));
        s.settle(last.failed("dump failed", Instant.parse("2026-11-30T03:01:00Z")));

        assertThat(s.list(BackupRecord.Kind.BACKUP, "wordpress", null))
                .extracting(BackupRecord::commandId)
                .containsExactly("b3", "b2", "b1");
        assertThat(
                        s.list(
                                BackupRecord.Kind.BACKUP,
                                "wordpress",
                                Instant.parse("2026-11-29T00:00:00Z")))
                .extracting(BackupRecord::commandId)
                .containsExactly("b3", "b2");
        assertThat(s.list(BackupRecord.Kind.DRILL, "wordpress", null))
                .extracting(BackupRecord::commandId)
                .containsExactly("d1");
        assertThat(s.latestVerified("wordpress").orElseThrow().commandId()).isEqualTo("b2");
        assertThat(s.latestVerified("nothing")).isEmpty();
    }
}

package dev.quartermaster.cli.commands;

import dev.quartermaster.backup.BackupRecord;
import dev.quartermaster.backup.SchemaFingerprint;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** bin/qm backups' DB VERSION column: the db_version the dump recorded, "-" when none. */
class BackupsCommandTest {
    @Test
    void dbVersionColumn_showsTheRecordedSchemaVersion_orADash() {
        Instant at = Instant.parse("2026-12-07T10:00:00Z");
        BackupRecord running =
                BackupRecord.running(
                        BackupRecord.Kind.BACKUP,
                        "wordpress",
                        at,
                        "c1",
                        "backups/wordpress/k1.sql.zst",
                        null);
        BackupRecord verified = running.verified(1000, "00", 5, 50, 3000, at);

        assertThat(BackupsCommand.dbVersion(verified)).isEqualTo("-"); // before fingerprints
        assertThat(
                        BackupsCommand.dbVersion(
                                verified.withSchema(
                                        new SchemaFingerprint("c".repeat(64), "57155", 12))))
                .isEqualTo("57155");
        assertThat(
                        BackupsCommand.dbVersion(
                                verified.withSchema(new SchemaFingerprint("c".repeat(64), "", 12))))
                .isEqualTo("-"); // a database without WordPress's option
    }
}

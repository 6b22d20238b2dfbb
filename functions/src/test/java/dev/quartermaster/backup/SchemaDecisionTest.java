package dev.quartermaster.backup;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static dev.quartermaster.backup.SchemaDecision.Action.IMAGE_ONLY;
import static dev.quartermaster.backup.SchemaDecision.Action.REFUSE;
import static dev.quartermaster.backup.SchemaDecision.Action.RESTORE_DATABASE;
import static dev.quartermaster.backup.SchemaDecision.Choice.COMPARE;
import static dev.quartermaster.backup.SchemaDecision.Choice.WITH_DATABASE;
import static org.assertj.core.api.Assertions.assertThat;

class SchemaDecisionTest {
    private static final String KEY =
            "backups/wordpress/2026/12/07/20261207T100000Z-release.sql.zst";
    private static final SchemaFingerprint V64 =
            new SchemaFingerprint("a1".repeat(32), "57155", 12);
    private static final SchemaFingerprint V65 =
            new SchemaFingerprint("b2".repeat(32), "58975", 12);

    @Test
    void unchangedSchema_rollsBackTheImageOnly_whateverTheFlag() {
        for (SchemaDecision.Choice c : SchemaDecision.Choice.values()) {
            SchemaDecision.Outcome o =
                    SchemaDecision.decide(
                            KEY, V64, new SchemaFingerprint("a1".repeat(32), "57155", -1), c);
            assertThat(o.action()).as(c.name()).isEqualTo(IMAGE_ONLY);
            assertThat(o.line()).contains("schema unchanged").contains("db_version 57155");
        }
    }

    @Test
    void changedSchema_isRefused_namingBothDbVersions_unlessAFlagSaysWhatToDo() {
        SchemaDecision.Outcome refused = SchemaDecision.decide(KEY, V64, V65, COMPARE);
        assertThat(refused.action()).isEqualTo(REFUSE);
        assertThat(refused.line())
                .contains("db_version 57155 then, 58975 now")
                .contains("--with-database")
                .contains("--keep-database")
                .contains("Nothing was changed");

        assertThat(SchemaDecision.decide(KEY, V64, V65, WITH_DATABASE).action())
                .isEqualTo(RESTORE_DATABASE);
        SchemaDecision.Outcome kept =
                SchemaDecision.decide(KEY, V64, V65, SchemaDecision.Choice.KEEP_DATABASE);
        assertThat(kept.action()).isEqualTo(SchemaDecision.Action.KEEP_DATABASE);
        assertThat(kept.line()).contains("--keep-database").contains("57155");
    }

    @Test
    void aSchemaChangeWithTheSameDbVersion_stillCounts() {
        SchemaFingerprint plugin = new SchemaFingerprint("c3".repeat(32), "57155", 13);
        assertThat(SchemaDecision.decide(KEY, V64, plugin, COMPARE).action()).isEqualTo(REFUSE);
    }

    @Test
    void aRestorePointWithoutFingerprint_cannotBeCompared_soItIsTheOperatorsCall() {
        SchemaDecision.Outcome o = SchemaDecision.decide(KEY, null, V65, COMPARE);
        assertThat(o.action()).isEqualTo(REFUSE);
        assertThat(o.line()).contains("recorded no schema fingerprint");
        assertThat(SchemaDecision.decide(KEY, null, V65, WITH_DATABASE).action())
                .isEqualTo(RESTORE_DATABASE);
        assertThat(
                        SchemaDecision.decide(KEY, null, V65, SchemaDecision.Choice.KEEP_DATABASE)
                                .action())
                .isEqualTo(SchemaDecision.Action.KEEP_DATABASE);
    }

    @Test
    void noRestorePoint_imageOnly_butWithDatabaseIsRefused_asThereIsNothingToRestore() {
        assertThat(SchemaDecision.decide(null, null, V65, COMPARE).action()).isEqualTo(IMAGE_ONLY);
        assertThat(
                        SchemaDecision.decide(null, null, V65, SchemaDecision.Choice.KEEP_DATABASE)
                                .action())
                .isEqualTo(IMAGE_ONLY);
        SchemaDecision.Outcome o = SchemaDecision.decide(null, null, V65, WITH_DATABASE);
        assertThat(o.action()).isEqualTo(REFUSE);
        assertThat(o.line()).contains("nothing to restore");
    }

    @Test
    void theLoss_namesTheTimeAndTheSpan_andWhereTheDataIsKept() {
        Instant at = Instant.parse("2026-12-07T10:00:00Z");
        String loss =
                SchemaDecision.loss(
                        "wordpress", KEY, at, at.plus(Duration.ofMinutes(125)), "backups/new");
        assertThat(loss)
                .contains("since 2026-12-07T10:00:00Z")
                .contains("2 h 05 min ago")
                .contains("LOST")
                .contains("kept in backups/new")
                .contains("qm_prev_wordpress");
        assertThat(SchemaDecision.span(Duration.ofSeconds(42))).isEqualTo("42 s");
        assertThat(SchemaDecision.span(Duration.ofDays(3).plusHours(4))).isEqualTo("3 d 4 h");
    }

    @Test
    void aFingerprintLine_fromTheHost_isParsedStrictly() {
        String out =
                "qm-dump: dumping\nQM-SCHEMA {\"fingerprint\": \""
                        + "ab".repeat(32)
                        + "\", \"dbVersion\": \"58975\", \"tables\": 12}\nQM-BYTES 12\n";
        assertThat(SchemaFingerprint.parse(out))
                .contains(new SchemaFingerprint("ab".repeat(32), "58975", 12));
        assertThat(SchemaFingerprint.parse("QM-SCHEMA {\"fingerprint\": \"xyz\"}")).isEmpty();
        assertThat(
                        SchemaFingerprint.parse(
                                "QM-SCHEMA {\"fingerprint\": \""
                                        + "ab".repeat(32)
                                        + "\", \"dbVersion\": \"5; rm -rf /\"}"))
                .as("a db_version with shell characters is not one")
                .isEmpty();
        assertThat(SchemaFingerprint.parse("no line")).isEmpty();
    }
}

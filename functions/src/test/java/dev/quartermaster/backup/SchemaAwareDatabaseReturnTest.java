package dev.quartermaster.backup;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The automatic case: after a failed release's hosts are back, the database follows the schema. */
class SchemaAwareDatabaseReturnTest {
    private static final String KEY = "backups/wordpress/2026/12/07/rp.sql.zst";
    private static final SchemaFingerprint BEFORE =
            new SchemaFingerprint("a1".repeat(32), "57155", 5);
    private static final SchemaFingerprint AFTER =
            new SchemaFingerprint("b2".repeat(32), "58975", 5);

    /** The in-memory twin of the database host: a live fingerprint, the restores asked for. */
    static final class TwinHost implements DatabaseHost {
        SchemaFingerprint live;
        final List<String> restored = new ArrayList<>();
        boolean restoreFails;
        boolean unreadable;

        TwinHost(SchemaFingerprint live) {
            this.live = live;
        }

        @Override
        public SchemaFingerprint liveFingerprint() {
            if (unreadable) {
                throw new Unavailable("no answer");
            }
            return live;
        }

        @Override
        public String restore(String key) {
            if (restoreFails) {
                throw new Unavailable("CHECKSUM MISMATCH");
            }
            restored.add(key);
            live = BEFORE;
            return "qm-restore: PASS {\"tables\": 5}";
        }
    }

    private static InMemoryBackupStore storeWith(SchemaFingerprint schema) {
        InMemoryBackupStore store = new InMemoryBackupStore();
        BackupRecord r =
                BackupRecord.running(
                        BackupRecord.Kind.BACKUP,
                        "wordpress",
                        Instant.parse("2026-12-07T10:00:00Z"),
                        "cmd-rp",
                        KEY,
                        null);
        store.create(r);
        store.settle(
                r.verified(10, "ab".repeat(32), 5, 100, 1000, Instant.parse("2026-12-07T10:00:10Z"))
                        .withSchema(schema));
        return store;
    }

    @Test
    void schemaChangedDuringTheRelease_restoresTheRestorePoint_andSaysNothingElseWrote() {
        TwinHost host = new TwinHost(AFTER);
        String line =
                new SchemaAwareDatabaseReturn(host, storeWith(BEFORE), "wordpress")
                        .afterRollback(KEY);
        assertThat(host.restored).containsExactly(KEY);
        assertThat(host.live).isEqualTo(BEFORE);
        assertThat(line)
                .contains("db_version 57155 -> 58975")
                .contains("restored restore point " + KEY)
                .contains("nothing else wrote")
                .contains("qm_prev_wordpress");
    }

    @Test
    void schemaUnchanged_keepsTheDatabase() {
        TwinHost host = new TwinHost(BEFORE);
        String line =
                new SchemaAwareDatabaseReturn(host, storeWith(BEFORE), "wordpress")
                        .afterRollback(KEY);
        assertThat(host.restored).isEmpty();
        assertThat(line).contains("schema unchanged").contains("database kept");
    }

    @Test
    void aFailedRestore_saysSo_andHowToFinishByHand() {
        TwinHost host = new TwinHost(AFTER);
        host.restoreFails = true;
        String line =
                new SchemaAwareDatabaseReturn(host, storeWith(BEFORE), "wordpress")
                        .afterRollback(KEY);
        assertThat(line).contains("FAILED").contains("bin/qm restore " + KEY);
        assertThat(host.live).isEqualTo(AFTER);
    }

    @Test
    void nothingToCompare_keepsTheDatabase_andRestoresNothing() {
        TwinHost host = new TwinHost(AFTER);
        assertThat(
                        new SchemaAwareDatabaseReturn(host, storeWith(null), "wordpress")
                                .afterRollback(KEY))
                .contains("recorded no schema fingerprint");
        assertThat(
                        new SchemaAwareDatabaseReturn(host, storeWith(BEFORE), "wordpress")
                                .afterRollback(null))
                .contains("no restore point");
        host.unreadable = true;
        assertThat(
                        new SchemaAwareDatabaseReturn(host, storeWith(BEFORE), "wordpress")
                                .afterRollback(KEY))
                .contains("could not be read");
        assertThat(host.restored).isEmpty();
    }
}

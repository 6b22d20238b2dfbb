package dev.quartermaster.backup;

import dev.quartermaster.testkit.HostScripts;
import dev.quartermaster.testkit.LocalMariaDb;
import dev.quartermaster.testutils.LocalBackends;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.quartermaster.testutils.LocalBackends.BUCKET;
import static org.assertj.core.api.Assertions.assertThat;

/** The host scripts, run for real: MariaDB from Debian, the AWS CLI, S3Mock. */
class BackupScriptsTest {
    private static HostScripts scripts;
    private static LocalMariaDb db;

    @BeforeAll
    static void backends() {
        db = LocalBackends.mariaDb();
        scripts = LocalBackends.scripts();
    }

    private static String key(String db) {
        return "backups/" + db + "/2026/11/23/" + UUID.randomUUID() + ".sql.gz";
    }

    private static Map<String, String> dumpEnv(String database, String key) {
        return Map.of("QM_BUCKET", BUCKET, "QM_KEY", key, "QM_DATABASE", database, "QM_CONTAINER", "", "QM_COMPRESSION", "gzip");
    }

    private static List<String> keysUnder(String prefix) {
        try (var s3 = LocalBackends.s3().client()) {
            return s3.listObjectsV2(b -> b.bucket(BUCKET).prefix(prefix)).contents().stream().map(o -> o.key()).toList();
        }
    }

    private static String fingerprint(String database) {
        return db.sql(database, "SELECT COUNT(*) FROM wp_posts; SELECT COUNT(*) FROM wp_postmeta; SELECT COUNT(*) FROM wp_comments;"
                + "CHECKSUM TABLE wp_posts, wp_postmeta, wp_options, wp_users, wp_comments;");
    }

    @Test
    void dumpThenDropThenRestore_givesIdenticalRowCountsAndChecksums() {
        String database = "wp_roundtrip";
        db.seedWordPress(database, "Round trip post", 300, 2000);
        String before = fingerprint(database);
        String key = key(database);

        HostScripts.Run dump = scripts.run("backup-dump.sh", dumpEnv(database, key));
        db.sql(null, "DROP DATABASE " + database);
        HostScripts.Run restore = scripts.run("backup-restore.sh", Map.of("QM_BUCKET", BUCKET, "QM_KEY", key, "QM_DATABASE", database));

        assertThat(dump.ok()).as(dump.output()).isTrue();
        assertThat(keysUnder("backups/" + database)).contains(key, key + ".manifest.json");
        assertThat(keysUnder("staging/" + database)).isEmpty();
        assertThat(restore.ok()).as(restore.output()).isTrue();
        assertThat(restore.output()).contains("PASS");
        assertThat(fingerprint(database)).isEqualTo(before).contains("300");
    }

    @Test
    void dump_whenKilledHalfway_leavesNoBackupNoManifestNoStaging(@TempDir Path shims) throws Exception {
        String database = "wp_killed";
        db.seedWordPress(database, "Doomed", 2000, 2000);
        // mariadb-dump dies after 200 kB of output, as if the host killed it mid-stream
        Path fake = shims.resolve("mariadb-dump");
        Files.writeString(fake, "#!/bin/bash\nif [ \"$1\" = --version ] || [ \"$2\" = --version ]; then exec /usr/bin/mariadb-dump \"$@\"; fi\n"
                + "/usr/bin/mariadb-dump \"$@\" | head -c 200000\nexit 137\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        String key = key(database);

        HostScripts.Run dump = scripts.run("backup-dump.sh", dumpEnv(database, key),
                Map.of("PATH", shims + ":" + System.getenv("PATH")));

        assertThat(dump.ok()).isFalse();
        assertThat(dump.output()).contains("FAILED");
        assertThat(keysUnder("backups/" + database)).isEmpty();
        assertThat(keysUnder("staging/" + database)).isEmpty();
    }

    @Test
    void restore_whenObjectDoesNotMatchManifest_stopsBeforeTouchingTheDatabase() {
        String database = "wp_tampered";
        db.seedWordPress(database, "Original", 50, 500);
        String key = key(database);
        assertThat(scripts.run("backup-dump.sh", dumpEnv(database, key)).ok()).isTrue();
        try (var s3 = LocalBackends.s3().client()) {
            s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromString("not the dump"));
        }
        db.sql(database, "INSERT INTO wp_options (option_name, option_value) VALUES ('written_after_backup', 'still here')");

        HostScripts.Run restore = scripts.run("backup-restore.sh", Map.of("QM_BUCKET", BUCKET, "QM_KEY", key, "QM_DATABASE", database));

        assertThat(restore.exitCode()).isEqualTo(5);
        assertThat(restore.output()).contains("CHECKSUM MISMATCH").contains("was not touched");
        assertThat(db.sql(database, "SELECT option_value FROM wp_options WHERE option_name = 'written_after_backup'")).isEqualTo("still here");
    }

    @Test
    void drill_restoresIntoScratchComparesCountsWritesEvidenceAndDropsScratch() {
        String database = "wp_drilled";
        db.seedWordPress(database, "Drill me", 120, 500);
        String key = key(database);
        assertThat(scripts.run("backup-dump.sh", dumpEnv(database, key)).ok()).isTrue();
        String evidenceKey = "drills/" + database + "/" + UUID.randomUUID() + ".json";

        HostScripts.Run drill = scripts.run("backup-restore.sh", Map.of("QM_BUCKET", BUCKET, "QM_KEY", key,
                "QM_DATABASE", "qm_drill_" + database, "QM_LIVE_DATABASE", database, "QM_EVIDENCE_KEY", evidenceKey));

        assertThat(drill.ok()).as(drill.output()).isTrue();
        try (var s3 = LocalBackends.s3().client()) {
            String evidence = s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(evidenceKey)).asUtf8String();
            assertThat(evidence).contains("\"result\": \"PASS\"").contains("\"tables\": 5");
        }
        assertThat(db.sql(null, "SHOW DATABASES LIKE 'qm_drill_" + database + "'")).isEmpty();
    }

    @Test
    void manifest_countsRowsFromTheDumpExactly_evenWithStringsThatLookLikeRowBoundaries() {
        String database = "wp_tricky";
        db.sql(null, "DROP DATABASE IF EXISTS " + database + "; CREATE DATABASE " + database);
        db.sql(database, "CREATE TABLE tricky (id int primary key auto_increment, s text, b blob);"
                + "CREATE TABLE empty_one (x int);"
                + "CREATE VIEW v AS SELECT id FROM tricky;"
                + "INSERT INTO tricky (s, b) VALUES ('a),(b', 0x00FF), ('it''s \\\\ tricky ''),(''', NULL),"
                + " ('line\\nbreak', 'x'), (NULL, NULL);"
                + "INSERT INTO tricky (s, b) SELECT CONCAT(MD5(RAND()), '),(', MD5(RAND())), RANDOM_BYTES(20) FROM seq_1_to_3000;");
        String key = key(database);

        HostScripts.Run dump = scripts.run("backup-dump.sh", dumpEnv(database, key));

        assertThat(dump.ok()).as(dump.output()).isTrue();
        try (var s3 = LocalBackends.s3().client()) {
            String manifest = s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key + ".manifest.json")).asUtf8String();
            assertThat(manifest).contains("\"tricky\": 3004").contains("\"empty_one\": 0").doesNotContain("\"v\":");
        }
        assertThat(db.sql(database, "SELECT COUNT(*) FROM tricky")).isEqualTo("3004");
    }

    @Test
    void drill_whenTargetIsTheLiveDatabase_refuses() {
        HostScripts.Run run = scripts.run("backup-restore.sh", Map.of("QM_BUCKET", BUCKET, "QM_KEY", "backups/x/y.sql.gz",
                "QM_DATABASE", "wordpress", "QM_LIVE_DATABASE", "wordpress"));

        assertThat(run.exitCode()).isEqualTo(4);
        assertThat(run.output()).contains("REFUSED");
    }

    @Test
    void restore_withoutKey_usesTheNewestCommittedBackup() {
        String database = "wp_latest";
        db.seedWordPress(database, "Latest wins", 10, 200);
        String key = "backups/" + database + "/2099/01/01/20990101T000000Z.sql.gz"; // sorts after every other backup
        assertThat(scripts.run("backup-dump.sh", dumpEnv(database, key)).ok()).isTrue();
        db.sql(database, "DELETE FROM wp_posts");

        HostScripts.Run restore = scripts.run("backup-restore.sh", Map.of("QM_BUCKET", BUCKET, "QM_KEY", "", "QM_DATABASE", database));

        assertThat(restore.ok()).as(restore.output()).isTrue();
        assertThat(db.sql(database, "SELECT post_title FROM wp_posts WHERE ID = 1")).isEqualTo("Latest wins");
    }
}

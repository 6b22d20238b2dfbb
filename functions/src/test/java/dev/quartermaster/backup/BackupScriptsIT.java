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
class BackupScriptsIT {
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
        return Map.of(
                "QM_BUCKET",
                BUCKET,
                "QM_KEY",
                key,
                "QM_DATABASE",
                database,
                "QM_CONTAINER",
                "",
                "QM_COMPRESSION",
                "gzip");
    }

    private static List<String> keysUnder(String prefix) {
        try (var s3 = LocalBackends.s3().client()) {
            return s3.listObjectsV2(b -> b.bucket(BUCKET).prefix(prefix)).contents().stream()
                    .map(o -> o.key())
                    .toList();
        }
    }

    private static String fingerprint(String database) {
        return db.sql(
                database,
                "SELECT COUNT(*) FROM wp_posts; SELECT COUNT(*) FROM wp_postmeta; SELECT COUNT(*) FROM wp_comments;"
                        + "CHECKSUM TABLE wp_posts, wp_postmeta, wp_options, wp_users, wp_comments;");
    }

    /**
     * What backup-status does after a successful dump: check the staged pair and commit it under
     * backups/.
     */
    private static void commit(String database, String key, String dumpOutput) {
        BackupConfig config =
                BackupConfig.from(
                        dev.quartermaster.common.Settings.of(
                                Map.of("BACKUP_BUCKET", BUCKET, "DATABASE", database)));
        try (var s3 = LocalBackends.s3().client()) {
            BackupService service =
                    new BackupService(
                            config,
                            null,
                            new S3BackupObjects(s3),
                            null,
                            null,
                            null,
                            null,
                            java.time.Clock.systemUTC());
            BackupRecord out =
                    service.commitAndVerify(
                            BackupRecord.running(
                                    BackupRecord.Kind.BACKUP,
                                    database,
                                    java.time.Instant.now(),
                                    "cmd",
                                    key,
                                    null),
                            dumpOutput);
            assertThat(out.status())
                    .as(String.valueOf(out.error()))
                    .isEqualTo(BackupRecord.Status.VERIFIED);
        }
    }

    private static void dumpAndCommit(String database, String key) {
        HostScripts.Run dump = scripts.run("backup-dump.sh", dumpEnv(database, key));
        assertThat(dump.ok()).as(dump.output()).isTrue();
        commit(database, key, dump.output());
    }

    private static HostScripts.Run restore(String database, String key) {
        return scripts.run(
                "backup-restore.sh",
                Map.of("QM_BUCKET", BUCKET, "QM_KEY", key, "QM_DATABASE", database));
    }

    private static void replaceObject(String key, byte[] content, boolean fixManifest) {
        try (var s3 = LocalBackends.s3().client()) {
            s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(content));
            if (fixManifest) {
                String manifest =
                        s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key + ".manifest.json"))
                                .asUtf8String()
                                .replaceAll(
                                        "\"sha256\": \"[a-f0-9]{64}\"",
                                        "\"sha256\": \""
                                                + java.util.HexFormat.of()
                                                        .formatHex(
                                                                dev.quartermaster.registry.Digests
                                                                        .sha256()
                                                                        .digest(content))
                                                + "\"")
                                .replaceAll("\"bytes\": [0-9]+", "\"bytes\": " + content.length);
                s3.putObject(
                        b -> b.bucket(BUCKET).key(key + ".manifest.json"),
                        RequestBody.fromString(manifest));
            }
        }
    }

    private static byte[] object(String key) {
        try (var s3 = LocalBackends.s3().client()) {
            return s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asByteArray();
        }
    }

    private static byte[] gzip(byte[] plain) throws Exception {
        var out = new java.io.ByteArrayOutputStream();
        try (var gz = new java.util.zip.GZIPOutputStream(out)) {
            gz.write(plain);
        }
        return out.toByteArray();
    }

    private static byte[] gunzip(byte[] packed) throws Exception {
        try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(packed))) {
            return in.readAllBytes();
        }
    }

    /**
     * A live database with a row written after the backup: every failed restore must leave it
     * exactly so.
     */
    private static String liveWithLaterRow(String database) {
        db.seedWordPress(database, "Original", 200, 500);
        String key = key(database);
        dumpAndCommit(database, key);
        db.sql(
                database,
                "INSERT INTO wp_options (option_name, option_value) VALUES ('written_after_backup', 'still here')");
        return key;
    }

    private static void assertUntouched(String database) {
        assertThat(
                        db.sql(
                                database,
                                "SELECT option_value FROM wp_options WHERE option_name = 'written_after_backup'"))
                .isEqualTo("still here");
        assertThat(db.sql(database, "SELECT COUNT(*) FROM wp_posts")).isEqualTo("200");
        assertThat(db.sql(null, "SHOW DATABASES LIKE 'qm_restore_" + database + "'")).isEmpty();
    }

    @Test
    void restoreFromAVersionedBucket_downloadsThePinnedVersion_askedWhileTheManifestDownloads() {
        // the stack's backup bucket keeps versions: the restore pins the object's current version
        // (head-object, run
        // beside the manifest's download) and downloads exactly that one
        String bucket = "qm-backups-versioned";
        try (var s3 = LocalBackends.s3().client()) {
            if (s3.listBuckets().buckets().stream().noneMatch(b -> b.name().equals(bucket))) {
                s3.createBucket(b -> b.bucket(bucket));
            }
            s3.putBucketVersioning(
                    b ->
                            b.bucket(bucket)
                                    .versioningConfiguration(
                                            v ->
                                                    v.status(
                                                            software.amazon.awssdk.services.s3.model
                                                                    .BucketVersioningStatus
                                                                    .ENABLED)));
        }
        String database = "wp_versioned";
        db.seedWordPress(database, "Versioned post", 120, 400);
        String before = fingerprint(database);
        String key = key(database);
        HostScripts.Run dump =
                scripts.run(
                        "backup-dump.sh",
                        Map.of(
                                "QM_BUCKET",
                                bucket,
                                "QM_KEY",
                                key,
                                "QM_DATABASE",
                                database,
                                "QM_CONTAINER",
                                "",
                                "QM_COMPRESSION",
                                "gzip"));
        assertThat(dump.ok()).as(dump.output()).isTrue();
        BackupConfig config =
                BackupConfig.from(
                        dev.quartermaster.common.Settings.of(
                                Map.of("BACKUP_BUCKET", bucket, "DATABASE", database)));
        String version;
        try (var s3 = LocalBackends.s3().client()) {
            BackupRecord out =
                    new BackupService(
                                    config,
                                    null,
                                    new S3BackupObjects(s3),
                                    null,
                                    null,
                                    null,
                                    null,
                                    java.time.Clock.systemUTC())
                            .commitAndVerify(
                                    BackupRecord.running(
                                            BackupRecord.Kind.BACKUP,
                                            database,
                                            java.time.Instant.now(),
                                            "cmd",
                                            key,
                                            null),
                                    dump.output());
            assertThat(out.status())
                    .as(String.valueOf(out.error()))
                    .isEqualTo(BackupRecord.Status.VERIFIED);
            version = s3.headObject(b -> b.bucket(bucket).key(key)).versionId();
        }
        assertThat(version).as("the bucket keeps versions").isNotBlank().isNotEqualTo("null");
        db.sql(database, "DELETE FROM wp_posts WHERE ID > 100");

        HostScripts.Run restore =
                scripts.run(
                        "backup-restore.sh",
                        Map.of("QM_BUCKET", bucket, "QM_KEY", key, "QM_DATABASE", database));

        assertThat(restore.ok()).as(restore.output()).isTrue();
        assertThat(restore.output()).contains("PASS");
        assertThat(restore.output()).contains(key + " version " + version);
        assertThat(fingerprint(database)).isEqualTo(before).contains("120");
    }

    @Test
    void qmSha256_givesTheSameDigestWithOpensslAndWithSha256sumAlone(@TempDir Path bin)
            throws Exception {
        // a host without openssl: only the tools the fallback needs on the PATH
        for (String tool : List.of("sha256sum", "cut", "sed")) {
            Files.createSymbolicLink(bin.resolve(tool), Path.of("/usr/bin", tool));
        }
        Path lib = LocalBackends.repoRoot().resolve("infra/ssm/qm-lib.sh");
        String withOpenssl = sha256Of(lib, System.getenv("PATH"));
        String fallback = sha256Of(lib, bin.toString());
        assertThat(withOpenssl).startsWith("openssl ");
        assertThat(fallback).startsWith("sha256sum ");
        String expected =
                java.util.HexFormat.of()
                        .formatHex(
                                dev.quartermaster.registry.Digests.sha256()
                                        .digest(
                                                "what the dump streams"
                                                        .getBytes(
                                                                java.nio.charset.StandardCharsets
                                                                        .UTF_8)));
        assertThat(withOpenssl).endsWith(" " + expected);
        assertThat(fallback).endsWith(" " + expected);
    }

    /** "TOOL HEX": which tool qm_sha256 found on {@code path}, and what it printed. */
    private static String sha256Of(Path lib, String path) throws Exception {
        ProcessBuilder pb =
                new ProcessBuilder(
                        "/bin/bash",
                        "-c",
                        "source \"$1\"; if command -v openssl >/dev/null; then printf 'openssl '; "
                                + "else printf 'sha256sum '; fi; printf 'what the dump streams' | qm_sha256",
                        "qm",
                        lib.toString());
        pb.environment().put("PATH", path);
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        String out =
                new String(
                                p.getInputStream().readAllBytes(),
                                java.nio.charset.StandardCharsets.UTF_8)
                        .trim();
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }

    @Test
    void dumpThenDropThenRestore_givesIdenticalRowCountsAndChecksums() {
        String database = "wp_roundtrip";
        db.seedWordPress(database, "Round trip post", 300, 2000);
        String before = fingerprint(database);
        String key = key(database);

        HostScripts.Run dump = scripts.run("backup-dump.sh", dumpEnv(database, key));
        assertThat(dump.ok()).as(dump.output()).isTrue();
        assertThat(keysUnder("backups/" + database))
                .isEmpty(); // the host stages; only backup-status commits
        assertThat(keysUnder("staging/" + database))
                .containsExactly("staging/" + key.substring(8)); // one object, one CLI start-up
        assertThat(dump.output())
                .containsPattern("QM-SHA256 [a-f0-9]{64}")
                .containsPattern("QM-BYTES [0-9]+")
                .contains("QM-DUMP {");
        commit(database, key, dump.output());
        db.sql(null, "DROP DATABASE " + database);
        HostScripts.Run restore = restore(database, key);

        assertThat(keysUnder("backups/" + database)).contains(key, key + ".manifest.json");
        assertThat(keysUnder("staging/" + database)).isEmpty();
        assertThat(restore.ok()).as(restore.output()).isTrue();
        assertThat(restore.output()).contains("PASS");
        assertThat(fingerprint(database)).isEqualTo(before).contains("300");
    }

    @Test
    void restore_swapsInTheProvenTablesAndKeepsTheReplacedOnes() {
        String database = "wp_swap";
        String key = liveWithLaterRow(database);
        db.sql(database, "CREATE TABLE created_after_backup (x int)");

        HostScripts.Run restore = restore(database, key);

        assertThat(restore.ok()).as(restore.output()).isTrue();
        assertThat(
                        db.sql(
                                database,
                                "SELECT COUNT(*) FROM wp_options WHERE option_name = 'written_after_backup'"))
                .isEqualTo("0");
        assertThat(db.sql(database, "SHOW TABLES LIKE 'created_after_backup'")).isEmpty();
        assertThat(
                        db.sql(
                                "qm_prev_" + database,
                                "SELECT option_value FROM wp_options WHERE option_name = 'written_after_backup'"))
                .isEqualTo("still here");
        assertThat(db.sql(null, "SHOW DATABASES LIKE 'qm_restore_" + database + "'")).isEmpty();
    }

    @Test
    void dump_whenKilledHalfway_leavesNoBackupNoManifestNoStaging(@TempDir Path shims)
            throws Exception {
        String database = "wp_killed";
        db.seedWordPress(database, "Doomed", 2000, 2000);
        // mariadb-dump dies after 200 kB of output, as if the host killed it mid-stream
        Path fake = shims.resolve("mariadb-dump");
        Files.writeString(
                fake,
                "#!/bin/bash\nif [ \"$1\" = --version ] || [ \"$2\" = --version ]; then exec /usr/bin/mariadb-dump \"$@\"; fi\n"
                        + "/usr/bin/mariadb-dump \"$@\" | head -c 200000\nexit 137\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        String key = key(database);

        HostScripts.Run dump =
                scripts.run(
                        "backup-dump.sh",
                        dumpEnv(database, key),
                        Map.of("PATH", shims + ":" + System.getenv("PATH")));

        assertThat(dump.ok()).isFalse();
        assertThat(dump.output()).contains("FAILED");
        assertThat(keysUnder("backups/" + database)).isEmpty();
        assertThat(keysUnder("staging/" + database)).isEmpty();
    }

    @Test
    void restore_whenObjectDoesNotMatchManifest_stopsBeforeTouchingTheDatabase() {
        String database = "wp_tampered";
        String key = liveWithLaterRow(database);
        replaceObject(key, "not the dump".getBytes(java.nio.charset.StandardCharsets.UTF_8), false);

        HostScripts.Run restore = restore(database, key);

        assertThat(restore.ok()).isFalse();
        assertThat(restore.output()).contains("was not touched");
        assertUntouched(database);
    }

    @Test
    void restore_whenTheObjectIsTruncated_leavesTheLiveDatabaseUntouched() {
        String database = "wp_truncated";
        String key = liveWithLaterRow(database);
        byte[] whole = object(key);
        replaceObject(key, java.util.Arrays.copyOf(whole, whole.length / 2), false);

        HostScripts.Run restore = restore(database, key);

        assertThat(restore.ok()).isFalse();
        assertThat(restore.output()).contains("was not touched");
        assertUntouched(database);
    }

    @Test
    void restoreAndDrill_ofADumpThatSwitchesToTheLiveDatabase_failInTheImport_andTouchNothing()
            throws Exception {
        String database = "wp_hostile";
        String key = liveWithLaterRow(database);
        String sql = new String(gunzip(object(key)), java.nio.charset.StandardCharsets.UTF_8);
        byte[] hostile =
                gzip(
                        (sql
                                        + "\nUSE `"
                                        + database
                                        + "`;\nDROP TABLE wp_users;\nCREATE DATABASE qm_hostile_extra;\n")
                                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        replaceObject(
                key, hostile,
                true); // checksum and row counts consistent: only what the SQL does is wrong

        HostScripts.Run restore = restore(database, key);
        HostScripts.Run drill =
                scripts.run(
                        "backup-restore.sh",
                        Map.of(
                                "QM_BUCKET",
                                BUCKET,
                                "QM_KEY",
                                key,
                                "QM_DATABASE",
                                database,
                                "QM_MODE",
                                "drill"));

        assertThat(restore.ok()).as(restore.output()).isFalse();
        assertThat(restore.output()).contains("Access denied").contains("was not touched");
        assertThat(drill.ok()).as(drill.output()).isFalse();
        assertThat(drill.output()).doesNotContain("\"result\": \"PASS\"");
        assertUntouched(database);
        assertThat(db.sql(database, "SELECT COUNT(*) FROM wp_users")).isNotEmpty();
        assertThat(db.sql(null, "SHOW DATABASES LIKE 'qm_hostile_extra'")).isEmpty();
        assertThat(db.sql(null, "SELECT COUNT(*) FROM mysql.user WHERE User LIKE 'qm_import_%'"))
                .isEqualTo("0");
    }

    @Test
    void restore_ofAnotherDatabasesBackup_isRefused_andTouchesNothing() {
        String database = "wp_target";
        liveWithLaterRow(database);
        String other = "wp_other";
        db.seedWordPress(other, "Other", 10, 10);
        String otherKey = key(other);
        dumpAndCommit(other, otherKey);

        HostScripts.Run restore = restore(database, otherKey);

        assertThat(restore.ok()).isFalse();
        assertThat(restore.output())
                .contains("REFUSED")
                .contains("backup of 'wp_other', not of wp_target");
        assertUntouched(database);
    }

    @Test
    void restore_swapsTablesWhoseNamesHoldABackslash_evenWhenThePreviousTablesAreKeptAgain() {
        String database = "wp_slash";
        db.seedWordPress(database, "Slash", 20, 20);
        db.sql(
                database,
                "CREATE TABLE `back\\\\slash` (a int); INSERT INTO `back\\\\slash` VALUES (1),(2)");
        String key = key(database);
        dumpAndCommit(database, key);
        db.sql(database, "INSERT INTO `back\\\\slash` VALUES (3)");

        HostScripts.Run first = restore(database, key);
        HostScripts.Run second = restore(database, key); // qm_prev_ is dropped and made again

        assertThat(first.ok()).as(first.output()).isTrue();
        assertThat(second.ok()).as(second.output()).isTrue();
        assertThat(db.sql(database, "SELECT COUNT(*) FROM `back\\\\slash`")).isEqualTo("2");
        assertThat(db.sql("qm_prev_" + database, "SELECT COUNT(*) FROM `back\\\\slash`"))
                .isEqualTo("2");
    }

    @Test
    void restore_whenTheSqlFailsMidImport_leavesTheLiveDatabaseUntouched() throws Exception {
        String database = "wp_sqlerror";
        String key = liveWithLaterRow(database);
        String sql = new String(gunzip(object(key)), java.nio.charset.StandardCharsets.UTF_8);
        int middle = sql.indexOf("\n", sql.length() / 2) + 1;
        byte[] broken =
                gzip(
                        (sql.substring(0, middle)
                                        + "INSERT INTO no_such_table VALUES (1);\n"
                                        + sql.substring(middle))
                                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        replaceObject(key, broken, true); // a consistent manifest: only the SQL is bad

        HostScripts.Run restore = restore(database, key);

        assertThat(restore.ok()).isFalse();
        assertThat(restore.output()).contains("no_such_table").contains("was not touched");
        assertUntouched(database);
    }

    @Test
    void restore_whenTheImportIsKilled_leavesTheLiveDatabaseUntouched(@TempDir Path shims)
            throws Exception {
        String database = "wp_killimport";
        String key = liveWithLaterRow(database);
        // the client importing the dump is killed after 100 kB; every other mariadb call runs
        // normally
        Path fake = shims.resolve("mariadb");
        Files.writeString(
                fake,
                "#!/bin/bash\nfor a in \"$@\"; do case \"$a\" in -e|-N) exec /usr/bin/mariadb \"$@\";; esac; done\n"
                        + "head -c 100000 | /usr/bin/mariadb \"$@\"\nkill -KILL $$\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));

        HostScripts.Run restore =
                scripts.run(
                        "backup-restore.sh",
                        Map.of("QM_BUCKET", BUCKET, "QM_KEY", key, "QM_DATABASE", database),
                        Map.of("PATH", shims + ":" + System.getenv("PATH")));

        assertThat(restore.ok()).isFalse();
        assertThat(restore.output()).contains("was not touched");
        assertUntouched(database);
    }

    @Test
    void drill_restoresIntoScratchComparesCountsPrintsEvidenceAndDropsScratch() {
        String database = "wp_drilled";
        db.seedWordPress(database, "Drill me", 120, 500);
        String key = key(database);
        dumpAndCommit(database, key);

        HostScripts.Run drill =
                scripts.run(
                        "backup-restore.sh",
                        Map.of(
                                "QM_BUCKET",
                                BUCKET,
                                "QM_KEY",
                                key,
                                "QM_DATABASE",
                                database,
                                "QM_MODE",
                                "drill"));

        assertThat(drill.ok()).as(drill.output()).isTrue();
        assertThat(drill.output())
                .containsPattern("QM-EVIDENCE \\{.*\"tables\": 5.*\"result\": \"PASS\"");
        assertThat(db.sql(null, "SHOW DATABASES LIKE 'qm_drill_" + database + "'")).isEmpty();
        assertThat(db.sql(database, "SELECT COUNT(*) FROM wp_posts")).isEqualTo("120");
        assertThat(keysUnder("drills/")).isEmpty(); // the host writes no evidence object
    }

    @Test
    void manifest_countsRowsFromTheDumpExactly_evenWithStringsThatLookLikeRowBoundaries() {
        String database = "wp_tricky";
        db.sql(null, "DROP DATABASE IF EXISTS " + database + "; CREATE DATABASE " + database);
        db.sql(
                database,
                "CREATE TABLE tricky (id int primary key auto_increment, s text, b blob);"
                        + "CREATE TABLE empty_one (x int);"
                        + "CREATE VIEW v AS SELECT id FROM tricky;"
                        + "INSERT INTO tricky (s, b) VALUES ('a),(b', 0x00FF), ('it''s \\\\ tricky ''),(''', NULL),"
                        + " ('line\\nbreak', 'x'), (NULL, NULL);"
                        + "INSERT INTO tricky (s, b) SELECT CONCAT(MD5(RAND()), '),(', MD5(RAND())), RANDOM_BYTES(20) FROM seq_1_to_3000;");
        String key = key(database);

        dumpAndCommit(database, key);

        String manifest =
                new String(object(key + ".manifest.json"), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(manifest)
                .contains("\"tricky\": 3004")
                .contains("\"empty_one\": 0")
                .doesNotContain("\"v\":");
        assertThat(db.sql(database, "SELECT COUNT(*) FROM tricky")).isEqualTo("3004");
    }

    @Test
    void manifest_isValidJsonForAnyTableName_andCountsOnlyDataSections() throws Exception {
        String database = "wp_weird";
        db.sql(null, "DROP DATABASE IF EXISTS " + database + "; CREATE DATABASE " + database);
        db.sql(
                database,
                "CREATE TABLE `we\"ird` (a int); INSERT INTO `we\"ird` VALUES (1),(2);"
                        + "CREATE TABLE `back``tick\\slash` (a int); INSERT INTO `back``tick\\slash` VALUES (7);"
                        + "CREATE TABLE e (a int);");
        // a stored procedure whose body inserts into e: text in the dump, not data
        db.sql(database, "CREATE PROCEDURE p() INSERT INTO `e` VALUES (1),(2),(3)");
        String key = key(database);

        dumpAndCommit(database, key);

        var manifest =
                new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(object(key + ".manifest.json"));
        assertThat(manifest.path("tables").path("we\"ird").asInt()).isEqualTo(2);
        // the versions come from the dump's header (the host script no longer asks the server)
        assertThat(manifest.path("serverVersion").asText()).contains("MariaDB");
        assertThat(manifest.path("dumpTool").asText())
                .startsWith("MariaDB dump")
                .contains("Distrib");
        assertThat(manifest.path("tables").path("back`tick\\slash").asInt()).isEqualTo(1);
        assertThat(manifest.path("tables").path("e").asInt(-1)).isEqualTo(0);
        HostScripts.Run drill =
                scripts.run(
                        "backup-restore.sh",
                        Map.of(
                                "QM_BUCKET",
                                BUCKET,
                                "QM_KEY",
                                key,
                                "QM_DATABASE",
                                database,
                                "QM_MODE",
                                "drill"));
        assertThat(drill.ok()).as(drill.output()).isTrue();
        assertThat(drill.output()).contains("\"tables\": 3").contains("\"result\": \"PASS\"");
    }

    @Test
    void restore_withoutKey_usesTheNewestCommittedBackup() {
        String database = "wp_latest";
        db.seedWordPress(database, "Latest wins", 10, 200);
        String key =
                "backups/"
                        + database
                        + "/2099/01/01/20990101T000000Z.sql.gz"; // sorts after every other backup
        dumpAndCommit(database, key);
        db.sql(database, "DELETE FROM wp_posts");

        HostScripts.Run restore = restore(database, "");

        assertThat(restore.ok()).as(restore.output()).isTrue();
        assertThat(db.sql(database, "SELECT post_title FROM wp_posts WHERE ID = 1"))
                .isEqualTo("Latest wins");
    }

    @Test
    void rowCounter_agreesWithTheHostsFormerAwk_onARealDump(@TempDir Path dir) throws Exception {
        String database = "wp_counted";
        db.seedWordPress(database, "Count me", 500, 300);
        db.sql(
                database,
                "CREATE TABLE `odd``name` (s text); INSERT INTO `odd``name` VALUES ('a),(b'), ('it''s'), (NULL);"
                        + "CREATE PROCEDURE fill() INSERT INTO `odd``name` VALUES ('x'),('y')");
        Path dump = dir.resolve("dump.sql");
        Process p =
                new ProcessBuilder(
                                "mariadb-dump",
                                "--defaults-extra-file=" + db.defaultsFile(),
                                "--single-transaction",
                                "--quick",
                                "--routines",
                                "--triggers",
                                "--events",
                                "--hex-blob",
                                database)
                        .redirectOutput(dump.toFile())
                        .start();
        assertThat(p.waitFor()).isZero();
        Path awk = Path.of(getClass().getResource("/count-rows.awk").toURI());
        ProcessBuilder awkRun =
                new ProcessBuilder("awk", "-f", awk.toString(), dump.toString())
                        .redirectErrorStream(true);
        awkRun.environment().put("LC_ALL", "C"); // byte semantics, as the host ran it
        Process a = awkRun.start();
        String awkOut =
                new String(
                        a.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(a.waitFor()).isZero();
        java.util.Map<String, Long> fromAwk = new java.util.LinkedHashMap<>();
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        for (String line : awkOut.lines().toList()) {
            json.readTree("{" + line + "}")
                    .fields()
                    .forEachRemaining(e -> fromAwk.put(e.getKey(), e.getValue().asLong()));
        }

        java.util.Map<String, Long> fromJava;
        try (var in = Files.newInputStream(dump)) {
            fromJava = DumpRowCounter.count(in);
        }

        assertThat(fromJava).containsExactlyEntriesOf(fromAwk);
        assertThat(fromJava).containsEntry("odd`name", 3L).containsEntry("wp_posts", 500L);
    }

    /**
     * A committed backup as an attacker who can write under backups/ would leave it: the dump of
     * {@code baseKey} with {@code extraSql} appended, and a manifest consistent with it (sha256,
     * size, and {@code extraTables} counted as if the attack worked), under a new key.
     */
    private static String hostileBackup(
            String database, String baseKey, String extraSql, Map<String, Long> extraTables)
            throws Exception {
        String key = key(database);
        // without the sandbox line a MariaDB 10.11.8+ dump opens with (its client then refuses \!
        // and system, not
        // LOAD DATA LOCAL): the attacker writes the whole dump
        String sql =
                new String(gunzip(object(baseKey)), java.nio.charset.StandardCharsets.UTF_8)
                        .replace("/*M!999999\\- enable the sandbox mode */", "");
        assertThat(sql).doesNotContain("sandbox");
        byte[] hostile =
                gzip(
                        (sql + "\n" + extraSql + "\n")
                                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        try (var s3 = LocalBackends.s3().client()) {
            StringBuilder tables = new StringBuilder("\"tables\": {");
            extraTables.forEach(
                    (t, n) ->
                            tables.append("\n    \"")
                                    .append(t)
                                    .append("\": ")
                                    .append(n)
                                    .append(","));
            String manifest =
                    s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(baseKey + ".manifest.json"))
                            .asUtf8String()
                            .replace("\"tables\": {", tables.toString());
            s3.putObject(
                    b -> b.bucket(BUCKET).key(key + ".manifest.json"),
                    RequestBody.fromString(manifest));
        }
        replaceObject(
                key, hostile, true); // the object, and the manifest's sha256 and size to match it
        return key;
    }

    @Test
    void
            restoreAndDrill_ofADumpThatRunsClientCommandsOrReadsFiles_runNothing_readNothing_andTouchNothing(
                    @TempDir Path dir) throws Exception {
        String database = "wp_crafted";
        String baseKey = liveWithLaterRow(database);
        Path secret = dir.resolve("host-secret");
        String secretText = "host-secret-" + UUID.randomUUID();
        Files.writeString(secret, secretText + "\n");
        Path shell = dir.resolve("shell-ran");
        Path system = dir.resolve("system-ran");
        Path outfile = dir.resolve("outfile-written");
        // each statement alone (the client stops at the first error), with a manifest that matches
        // the dump as if the
        // attack had worked (the `stolen` table counted): only the client's and the user's limits
        // stand in its way
        Map<String, String> attacks = new java.util.LinkedHashMap<>();
        Map<String, String> stoppedBy =
                new java.util.HashMap<>(); // what the client or the server answers each with
        attacks.put("shell escape", "\\! touch " + shell);
        stoppedBy.put("shell escape", "Unknown command '\\!'");
        attacks.put("system command", "system touch " + system);
        stoppedBy.put("system command", "SQL syntax");
        attacks.put(
                "client-side file read",
                "CREATE TABLE stolen (line text);\nLOAD DATA LOCAL INFILE '"
                        + secret
                        + "' INTO TABLE stolen;");
        stoppedBy.put("client-side file read", "disabled the local infile capability");
        attacks.put(
                "server-side file read",
                "CREATE TABLE stolen (line text);\nLOAD DATA INFILE '"
                        + secret
                        + "' INTO TABLE stolen;");
        stoppedBy.put(
                "server-side file read",
                "Access denied for user 'qm_import_"); // 1045: no FILE privilege
        attacks.put(
                "server-side file write",
                "CREATE TABLE stolen (line text);\nINSERT INTO stolen VALUES ('x');\n"
                        + "SELECT line FROM stolen INTO OUTFILE '"
                        + outfile
                        + "';");
        stoppedBy.put("server-side file write", "you need (at least one of) the FILE privilege");

        for (Map.Entry<String, String> attack : attacks.entrySet()) {
            String key =
                    hostileBackup(
                            database,
                            baseKey,
                            attack.getValue(),
                            attack.getValue().contains("stolen") ? Map.of("stolen", 1L) : Map.of());

            HostScripts.Run restore = restore(database, key);
            HostScripts.Run drill =
                    scripts.run(
                            "backup-restore.sh",
                            Map.of(
                                    "QM_BUCKET",
                                    BUCKET,
                                    "QM_KEY",
                                    key,
                                    "QM_DATABASE",
                                    database,
                                    "QM_MODE",
                                    "drill"));

            assertThat(restore.ok()).as(attack.getKey() + ": " + restore.output()).isFalse();
            assertThat(restore.output())
                    .as(attack.getKey())
                    .contains(stoppedBy.get(attack.getKey()))
                    .contains("was not touched")
                    .doesNotContain(secretText);
            assertThat(drill.ok()).as(attack.getKey() + ": " + drill.output()).isFalse();
            assertThat(drill.output())
                    .as(attack.getKey())
                    .contains(stoppedBy.get(attack.getKey()))
                    .doesNotContain("\"result\": \"PASS\"")
                    .doesNotContain(secretText);
            assertThat(shell).as(attack.getKey()).doesNotExist();
            assertThat(system).as(attack.getKey()).doesNotExist();
            assertThat(outfile).as(attack.getKey()).doesNotExist();
            assertUntouched(database);
            assertThat(
                            db.sql(
                                    null,
                                    "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_NAME = 'stolen'"))
                    .as(attack.getKey())
                    .isEqualTo("0");
            assertThat(db.sql(null, "SHOW DATABASES LIKE 'qm_drill_" + database + "'")).isEmpty();
        }
        assertThat(db.sql(null, "SELECT COUNT(*) FROM mysql.user WHERE User LIKE 'qm_import_%'"))
                .isEqualTo("0");
    }

    /** A mariadb that logs its arguments, then runs the real one. */
    private static Map<String, String> recordingMariaDb(Path shims, Path log) throws Exception {
        Path fake = shims.resolve("mariadb");
        Files.writeString(
                fake,
                "#!/bin/bash\nprintf '%s\\n' \"$*\" >> '"
                        + log
                        + "'\nexec /usr/bin/mariadb \"$@\"\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        return Map.of("PATH", shims + ":" + System.getenv("PATH"));
    }

    @Test
    void restoreAndDrill_whenTheObjectsSha256DiffersAtTheSameSize_refuseBeforeTheClientImportsAByte(
            @TempDir Path shims) throws Exception {
        String database = "wp_samesize";
        String key = liveWithLaterRow(database);
        byte[] tampered = object(key);
        tampered[tampered.length / 2] ^=
                0x5a; // the manifest's size still holds: only the sha256 tells
        replaceObject(key, tampered, false);
        Path log = shims.resolve("mariadb.log");

        HostScripts.Run restore =
                scripts.run(
                        "backup-restore.sh",
                        Map.of("QM_BUCKET", BUCKET, "QM_KEY", key, "QM_DATABASE", database),
                        recordingMariaDb(shims, log));
        HostScripts.Run drill =
                scripts.run(
                        "backup-restore.sh",
                        Map.of(
                                "QM_BUCKET",
                                BUCKET,
                                "QM_KEY",
                                key,
                                "QM_DATABASE",
                                database,
                                "QM_MODE",
                                "drill"),
                        recordingMariaDb(shims, log));

        for (HostScripts.Run run : List.of(restore, drill)) {
            assertThat(run.ok()).as(run.output()).isFalse();
            assertThat(run.output())
                    .contains("REFUSED: CHECKSUM MISMATCH")
                    .contains("nothing was imported")
                    .doesNotContain("QM-EVIDENCE");
        }
        String calls = Files.readString(log);
        assertThat(calls)
                .as("the shim saw the cleanup's calls")
                .contains("DROP DATABASE IF EXISTS");
        assertThat(calls)
                .as("no import, no scratch database, no import user")
                .doesNotContain("import.cnf")
                .doesNotContain("--binary-mode")
                .doesNotContain("CREATE DATABASE");
        assertUntouched(database);
    }

    @Test
    void restore_whenTheObjectsSizeDiffersFromTheManifest_isRefusedBeforeAnyDownloadOrImport(
            @TempDir Path shims) throws Exception {
        String database = "wp_resized";
        String key = liveWithLaterRow(database);
        byte[] whole = object(key);
        replaceObject(key, java.util.Arrays.copyOf(whole, whole.length + 4096), false);
        Path log = shims.resolve("mariadb.log");

        HostScripts.Run restore =
                scripts.run(
                        "backup-restore.sh",
                        Map.of("QM_BUCKET", BUCKET, "QM_KEY", key, "QM_DATABASE", database),
                        recordingMariaDb(shims, log));

        assertThat(restore.ok()).as(restore.output()).isFalse();
        assertThat(restore.output())
                .contains("REFUSED: SIZE MISMATCH")
                .contains((whole.length + 4096) + "")
                .doesNotContain("proving");
        assertThat(Files.readString(log))
                .doesNotContain("import.cnf")
                .doesNotContain("CREATE DATABASE");
        assertUntouched(database);
    }

    @Test
    void restoreInAContainer_runsTheContainersClientWithTheSameLimits(@TempDir Path shims)
            throws Exception {
        // `docker exec` as a shim: what the script asks to run in the container runs here, against
        // the test's MariaDB
        String socket =
                Files.readAllLines(db.defaultsFile()).stream()
                        .filter(l -> l.startsWith("socket="))
                        .findFirst()
                        .orElseThrow()
                        .substring("socket=".length());
        Path log = shims.resolve("docker.log");
        Path inside =
                Files.createDirectories(
                        shims.resolve(
                                "container-bin")); // the container's client finds its server by
        // itself
        Files.writeString(
                inside.resolve("mariadb"),
                "#!/bin/bash\nexec /usr/bin/mariadb --socket='" + socket + "' \"$@\"\n");
        Files.setPosixFilePermissions(
                inside.resolve("mariadb"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Path docker = shims.resolve("docker");
        Files.writeString(
                docker,
                "#!/bin/bash\n[ \"$1\" = exec ] || exit 99; shift\n"
                        + "while [ $# -gt 0 ]; do case \"$1\" in -i) shift;; -e) shift 2;; *) break;; esac; done\n"
                        + "shift # the container's name\nprintf '%s\\n' \"$*\" >> '"
                        + log
                        + "'\n"
                        + "exec env PATH='"
                        + inside
                        + ":'\"$PATH\" \"$@\"\n");
        Files.setPosixFilePermissions(docker, PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, String> path = Map.of("PATH", shims + ":" + System.getenv("PATH"));
        String database = "wp_contained";
        String key = liveWithLaterRow(database);
        Path shell = shims.resolve("shell-ran");
        String hostile = hostileBackup(database, key, "\\! touch " + shell, Map.of());

        HostScripts.Run refused =
                scripts.run(
                        "backup-restore.sh",
                        Map.of(
                                "QM_BUCKET",
                                BUCKET,
                                "QM_KEY",
                                hostile,
                                "QM_DATABASE",
                                database,
                                "QM_CONTAINER",
                                "db-1"),
                        path);
        assertThat(refused.ok()).as(refused.output()).isFalse();
        assertThat(refused.output()).contains("Unknown command '\\!'").contains("was not touched");
        assertThat(shell).doesNotExist();
        assertUntouched(database);

        HostScripts.Run restored =
                scripts.run(
                        "backup-restore.sh",
                        Map.of(
                                "QM_BUCKET",
                                BUCKET,
                                "QM_KEY",
                                key,
                                "QM_DATABASE",
                                database,
                                "QM_CONTAINER",
                                "db-1"),
                        path);
        assertThat(restored.ok()).as(restored.output()).isTrue();
        assertThat(
                        db.sql(
                                database,
                                "SELECT COUNT(*) FROM wp_options WHERE option_name = 'written_after_backup'"))
                .isEqualTo("0");
        assertThat(Files.readString(log)).contains("--binary-mode --local-infile=0");
    }

    private static SchemaFingerprint live(String database) {
        HostScripts.Run run = scripts.run("schema-fingerprint.sh", Map.of("QM_DATABASE", database));
        assertThat(run.ok()).as(run.output()).isTrue();
        return SchemaFingerprint.parse(run.output())
                .orElseThrow(() -> new AssertionError("no QM-SCHEMA line: " + run.output()));
    }

    @Test
    void schemaFingerprint_changesWithTablesColumnsIndexesAndDbVersion_notWithData() {
        String database = "qm_schema_fp";
        db.seedWordPress(database, "First", 20, 200);
        SchemaFingerprint seeded = live(database);
        assertThat(seeded.dbVersion()).isEqualTo("57155");
        assertThat(seeded.tables()).isEqualTo(5);
        assertThat(live(database)).as("read twice, the same").isEqualTo(seeded);

        // data: rows, updates, deletes, other options, AUTO_INCREMENT counters
        db.sql(
                database,
                "INSERT INTO wp_posts (post_author, post_title, post_content, post_status, post_date, post_name)"
                        + " SELECT post_author, post_title, post_content, post_status, post_date, post_name FROM wp_posts;"
                        + " UPDATE wp_options SET option_value = 'changed' WHERE option_name = 'blogname';"
                        + " INSERT INTO wp_options (option_name, option_value) VALUES ('new_option', 'x');"
                        + " DELETE FROM wp_comments LIMIT 1;");
        assertThat(live(database)).as("data changes do not count").isEqualTo(seeded);

        db.sql(database, "ALTER TABLE wp_posts ADD COLUMN post_excerpt text NULL");
        SchemaFingerprint column = live(database);
        assertThat(column.fingerprint()).as("a new column").isNotEqualTo(seeded.fingerprint());

        db.sql(database, "CREATE INDEX qm_title ON wp_posts (post_title(20))");
        SchemaFingerprint index = live(database);
        assertThat(index.fingerprint())
                .as("a new index")
                .isNotEqualTo(column.fingerprint())
                .isNotEqualTo(seeded.fingerprint());

        db.sql(database, "ALTER TABLE wp_users MODIFY user_login varchar(80) NOT NULL");
        SchemaFingerprint type = live(database);
        assertThat(type.fingerprint()).as("a column's type").isNotEqualTo(index.fingerprint());

        db.sql(
                database,
                "UPDATE wp_options SET option_value = '58975' WHERE option_name = 'db_version'");
        SchemaFingerprint upgraded = live(database);
        assertThat(upgraded.dbVersion()).isEqualTo("58975");
        assertThat(upgraded.fingerprint())
                .as("WordPress's db_version (wp core update-db)")
                .isNotEqualTo(type.fingerprint());

        db.sql(database, "CREATE TABLE wp_new (id int PRIMARY KEY)");
        assertThat(live(database).tables()).isEqualTo(6);
        assertThat(live(database).fingerprint())
                .as("a new table")
                .isNotEqualTo(upgraded.fingerprint());
    }

    @Test
    void dump_recordsTheSchemaFingerprint_andARestoreBringsBackThatSchemaAndItsData() {
        String database = "qm_schema_dump";
        db.seedWordPress(database, "Before the upgrade", 30, 300);
        SchemaFingerprint before = live(database);
        String key = key(database);
        HostScripts.Run dump = scripts.run("backup-dump.sh", dumpEnv(database, key));
        assertThat(dump.ok()).as(dump.output()).isTrue();
        assertThat(SchemaFingerprint.parse(dump.output())).contains(before);
        commit(database, key, dump.output());
        String manifest;
        try (var s3 = LocalBackends.s3().client()) {
            manifest =
                    s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key + ".manifest.json"))
                            .asUtf8String();
        }
        assertThat(manifest)
                .contains("\"schemaFingerprint\": \"" + before.fingerprint() + "\"")
                .contains("\"dbVersion\": \"57155\"");

        // an upgrade: a migration changes the schema and db_version, and a row is written after it
        db.sql(
                database,
                "ALTER TABLE wp_posts ADD COLUMN post_excerpt text NULL;"
                        + " UPDATE wp_options SET option_value = '58975' WHERE option_name = 'db_version';"
                        + " INSERT INTO wp_options (option_name, option_value) VALUES ('written_after_backup', 'x')");
        assertThat(live(database).sameSchemaAs(before)).isFalse();

        HostScripts.Run restored = restore(database, key);
        assertThat(restored.ok()).as(restored.output()).isTrue();
        assertThat(live(database))
                .as("the restored copy hashes as the dumped one")
                .isEqualTo(before);
        assertThat(db.sql(database, "SELECT COUNT(*) FROM wp_posts")).isEqualTo("30");
        assertThat(
                        db.sql(
                                database,
                                "SELECT COUNT(*) FROM wp_options WHERE option_name = 'written_after_backup'"))
                .isEqualTo("0");
        assertThat(
                        db.sql(
                                "qm_prev_" + database,
                                "SELECT option_value FROM wp_options WHERE option_name = 'db_version'"))
                .as("the replaced schema and data are kept beside it")
                .isEqualTo("58975");
    }

    @Test
    void schemaFingerprint_ofADatabaseWithoutWordPress_hasNoDbVersion() {
        String database = "qm_schema_plain";
        db.sql(null, "DROP DATABASE IF EXISTS qm_schema_plain; CREATE DATABASE qm_schema_plain");
        db.sql(database, "CREATE TABLE t (id int PRIMARY KEY, name varchar(10))");
        SchemaFingerprint plain = live(database);
        assertThat(plain.dbVersion()).isEmpty();
        assertThat(plain.dbVersionOrNone()).isEqualTo("none");
        assertThat(plain.tables()).isEqualTo(1);
    }
}

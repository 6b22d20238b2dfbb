package dev.quartermaster.cli.release;

import dev.quartermaster.backup.BackupRecord;
import dev.quartermaster.backup.BackupRoot;
import dev.quartermaster.backup.SchemaDecision;
import dev.quartermaster.cli.local.LocalEnvironment;
import dev.quartermaster.cli.local.LocalSite;
import dev.quartermaster.ledger.ImageVerdict;
import dev.quartermaster.release.ReleaseRecord;
import dev.quartermaster.release.ReleaseRoot;
import dev.quartermaster.testkit.LocalMariaDb;
import dev.quartermaster.testkit.LocalPodman;
import dev.quartermaster.testkit.OciImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * bin/qm rollback's database side on local backends and real containers: a release whose migration
 * changed the schema (ALTER TABLE, WordPress's db_version) is not rolled back blindly;
 * --with-database brings back the restore point's schema and data and keeps what it replaced;
 * --keep-database rolls the image back alone and says so in the history.
 */
public class DatabaseRollbackIT {
    private static final String DB = LocalEnvironment.DATABASE;

    /** A migration as `wp core update-db` would run it, and a post written after it. */
    private static void migrate(LocalMariaDb db, String post) {
        db.sql(
                DB,
                "ALTER TABLE wp_posts ADD COLUMN post_excerpt text NULL;"
                        + " UPDATE wp_options SET option_value = '58975' WHERE option_name = 'db_version';"
                        + " INSERT INTO wp_posts (post_author, post_date, post_title, post_content, post_status, post_name)"
                        + " VALUES (1, NOW(), '"
                        + post
                        + "', 'x', 'publish', '"
                        + post
                        + "')");
    }

    private static String posts(LocalMariaDb db, String database, String title) {
        return db.sql(database, "SELECT COUNT(*) FROM wp_posts WHERE post_title = '" + title + "'");
    }

    private static boolean hasExcerpt(LocalMariaDb db) {
        return !db.sql(
                        null,
                        "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '"
                                + DB
                                + "' AND TABLE_NAME = 'wp_posts' AND COLUMN_NAME = 'post_excerpt'")
                .isEmpty();
    }

    @Test
    void aChangedSchema_refusesThePlainRollback_withDatabaseRestoresIt_keepDatabaseRecordsIt(
            @TempDir Path dir) throws Exception {
        Path cwd = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        System.setProperty("qm.home", (cwd.endsWith("cli") ? cwd.getParent() : cwd).toString());
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(console, true, StandardCharsets.UTF_8);
        try (LocalEnvironment local = new LocalEnvironment(dir, true)) {
            OciImages.Pusher pusher = new OciImages.Pusher(local.registry().url());
            String v1 =
                    pusher.push(
                            "wordpress",
                            "wp-6.4-v1",
                            LocalPodman.wordpressImage("6.4.3", 1, 4096, "db-1"));
            String v2 =
                    pusher.push(
                            "wordpress",
                            "wp-6.5-v2",
                            LocalPodman.wordpressImage("6.5.5", 1, 4096, "db-2"));
            // the rollback's own context: the image's switch takes no restore point of its own when
            // --with-database took one (as bin/qm rollback opens it)
            ReleaseContext ctx = ReleaseContext.local(local, true, out);
            ReleaseContext noPoint = ReleaseContext.local(local, false, out);
            for (Object[] i :
                    new Object[][] {{"wp-6.4-v1", v1, "6.4.3"}, {"wp-6.5-v2", v2, "6.5.5"}}) {
                LedgerSeed.pushed(
                        ctx.platform,
                        (String) i[0],
                        (String) i[1],
                        (String) i[2],
                        ImageVerdict.VERIFIED);
            }
            LocalMariaDb db = local.mariaDb();
            LocalSite site = local.site();
            site.start(v1);
            assertThat(site.awaitServed("6.4.3", Duration.ofSeconds(30))).isEqualTo("6.4.3");
            ReleaseRecord released =
                    ctx.flow.release("wordpress:wp-6.5-v2", null, ReleaseRecord.Kind.RELEASE, "it");
            assertThat(released.status()).isEqualTo(ReleaseRecord.Status.RELEASED);
            BackupRecord point =
                    dev.quartermaster.backup.SchemaAwareDatabaseReturn.restorePoint(
                                    BackupRoot.store(ctx.platform), DB, released.restorePoint())
                            .orElseThrow();
            assertThat(point.dbVersion()).isEqualTo("57155");
            assertThat(point.schemaFingerprint()).matches("[a-f0-9]{64}");

            migrate(db, "written-after-the-upgrade");

            // a plain rollback: refused, nothing changed
            DatabaseRollback.Prepared refused =
                    ctx.database.prepare(
                            ctx.service, null, v1, SchemaDecision.Choice.COMPARE, "it");
            assertThat(refused.proceed()).isFalse();
            assertThat(refused.line())
                    .contains("REFUSED")
                    .contains("db_version 57155 then, 58975 now")
                    .contains("--with-database")
                    .contains("--keep-database");
            assertThat(hasExcerpt(db)).isTrue();
            assertThat(site.served()).isEqualTo("6.5.5");

            // --with-database: a new restore point of what is replaced, the restore point back,
            // then the image
            int backupsBefore =
                    BackupRoot.store(ctx.platform).list(BackupRecord.Kind.BACKUP, DB, null).size();
            DatabaseRollback.Prepared with =
                    noPoint.database.prepare(
                            noPoint.service, null, v1, SchemaDecision.Choice.WITH_DATABASE, "it");
            assertThat(with.action()).isEqualTo(SchemaDecision.Action.RESTORE_DATABASE);
            ReleaseRecord back =
                    noPoint.flow.release(
                            "wordpress@" + v1, null, ReleaseRecord.Kind.ROLLBACK, "it");
            assertThat(back.status()).isEqualTo(ReleaseRecord.Status.RELEASED);
            assertThat(site.served()).isEqualTo("6.4.3");
            assertThat(hasExcerpt(db)).as("the restore point's schema").isFalse();
            assertThat(
                            db.sql(
                                    DB,
                                    "SELECT option_value FROM wp_options WHERE option_name = 'db_version'"))
                    .isEqualTo("57155");
            assertThat(posts(db, DB, "written-after-the-upgrade"))
                    .as("the restore point's data")
                    .isEqualTo("0");
            assertThat(posts(db, "qm_prev_" + DB, "written-after-the-upgrade"))
                    .as("what was replaced, beside it")
                    .isEqualTo("1");
            List<BackupRecord> backups =
                    BackupRoot.store(ctx.platform).list(BackupRecord.Kind.BACKUP, DB, null);
            assertThat(backups).hasSize(backupsBefore + 1);
            BackupRecord kept =
                    backups.stream()
                            .filter(b -> b.key().equals(with.restorePoint()))
                            .findFirst()
                            .orElseThrow();
            assertThat(kept.status()).isEqualTo(BackupRecord.Status.VERIFIED);
            assertThat(kept.dbVersion())
                    .as("the new restore point holds the upgraded database")
                    .isEqualTo("58975");
            assertThat(back.restorePoint()).as("the image's switch took none of its own").isNull();

            // --keep-database: released again, migrated again, rolled back over the new schema
            ReleaseRecord again =
                    ctx.flow.release("wordpress:wp-6.5-v2", null, ReleaseRecord.Kind.RELEASE, "it");
            assertThat(again.status()).isEqualTo(ReleaseRecord.Status.RELEASED);
            migrate(db, "second-upgrade");
            DatabaseRollback.Prepared keep =
                    ctx.database.prepare(
                            ctx.service, null, v1, SchemaDecision.Choice.KEEP_DATABASE, "it");
            assertThat(keep.action()).isEqualTo(SchemaDecision.Action.KEEP_DATABASE);
            ReleaseRecord imageOnly =
                    ctx.flow.release("wordpress@" + v1, null, ReleaseRecord.Kind.ROLLBACK, "it");
            assertThat(imageOnly.status()).isEqualTo(ReleaseRecord.Status.RELEASED);
            assertThat(site.served()).isEqualTo("6.4.3");
            assertThat(hasExcerpt(db)).as("the database was kept").isTrue();
            assertThat(posts(db, DB, "second-upgrade")).isEqualTo("1");

            List<ReleaseRecord> history =
                    ReleaseRoot.store(ctx.platform)
                            .list("wordpress", dev.quartermaster.contract.Host.DEFAULT_NAME);
            assertThat(history)
                    .filteredOn(r -> r.commandId().startsWith("database-"))
                    .extracting(ReleaseRecord::reason)
                    .anySatisfy(r -> assertThat(r).contains("--keep-database"))
                    .anySatisfy(
                            r ->
                                    assertThat(r)
                                            .contains("--with-database")
                                            .contains("restored " + released.restorePoint())
                                            .contains(with.restorePoint()));
            assertThat(ctx.service.lastGood().orElseThrow().running())
                    .as("the database records change nothing of what runs")
                    .isEqualTo(v1);
        }
        String printed = console.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("will be LOST").contains("db-restore");
    }
}

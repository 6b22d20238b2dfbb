package dev.quartermaster.cli;

import dev.quartermaster.testkit.HostScripts;
import dev.quartermaster.testkit.LocalMariaDb;
import dev.quartermaster.testkit.LocalS3;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * bench backup: a WordPress-like database of at least 100 MB; the real dump script streaming to
 * S3Mock, against {@code mariadb-dump > /dev/null} in the same run; bytes the backup wrote under the
 * host's temp and working directories; then the restore, timed.
 */
final class BackupBench {
    private BackupBench() {
    }

    static int run(int runs, String compression) throws Exception {
        Path dir = Files.createTempDirectory("qm-bench-backup");
        try (LocalS3 s3 = LocalS3.start(dir.resolve("s3"), List.of("qm-backups"));
             LocalMariaDb db = LocalMariaDb.start(dir.resolve("mariadb"))) {
            System.out.println("seeding a WordPress-like database (60,000 posts)...");
            db.seedWordPress("wordpress", "Benchmark", 60_000, 1800);
            System.out.printf("database: %s posts, plain SQL dump %.1f MB%n", db.sql("wordpress", "SELECT COUNT(*) FROM wp_posts"),
                    dumpToNull(db) / 1e6);
            HostScripts scripts = new HostScripts(LocalEnvironment.home(), s3, db);
            Path tmp = Files.createDirectories(dir.resolve("host-tmp"));
            Path work = Files.createDirectories(dir.resolve("host-work"));
            long bestDump = Long.MAX_VALUE;
            long bestNull = Long.MAX_VALUE;
            long tempBytes = 0;
            String key = null;
            String lastOutput = "";
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                dumpToNull(db);
                long nullMs = (System.nanoTime() - t0) / 1_000_000;
                key = "backups/wordpress/bench/run-" + i + (compression.equals("zstd") ? ".sql.zst" : ".sql.gz");
                long before = treeBytes(tmp) + treeBytes(work);
                java.util.concurrent.atomic.AtomicLong peak = new java.util.concurrent.atomic.AtomicLong(before);
                java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
                Thread watcher = new Thread(() -> {
                    while (running.get()) {
                        try {
                            peak.accumulateAndGet(treeBytes(tmp) + treeBytes(work), Math::max);
                            Thread.sleep(20);
                        } catch (IOException | java.io.UncheckedIOException | InterruptedException ignored) {
                            // a file vanished mid-walk: sample again
                        }
                    }
                });
                watcher.start();
                long t1 = System.nanoTime();
                HostScripts.Run run = scripts.run("backup-dump.sh", Map.of("QM_BUCKET", "qm-backups", "QM_KEY", key,
                        "QM_DATABASE", "wordpress", "QM_COMPRESSION", compression), Map.of("TMPDIR", tmp.toString()), work);
                long dumpMs = (System.nanoTime() - t1) / 1_000_000;
                running.set(false);
                watcher.join();
                if (!run.ok()) {
                    System.err.println(run.output());
                    return 1;
                }
                tempBytes = Math.max(tempBytes, peak.get() - before);
                lastOutput = run.output();
                System.out.printf("run %d: mariadb-dump > /dev/null %d ms, dump | %s | sha256 | S3 %d ms (%s)%n", i + 1, nullMs, compression,
                        dumpMs, run.output().lines().filter(l -> l.startsWith("qm-dump: OK")).findFirst().orElse(""));
                bestDump = Math.min(bestDump, dumpMs);
                bestNull = Math.min(bestNull, nullMs);
            }
            // what backup-status does when SSM reports success: check the staged object and commit it under backups/
            long c0 = System.nanoTime();
            var committed = commit(s3, key, lastOutput);
            double commitS = (System.nanoTime() - c0) / 1e9;
            if (committed.status() != dev.quartermaster.backup.BackupRecord.Status.VERIFIED) {
                System.err.println("commit failed: " + committed.error());
                return 1;
            }
            System.out.printf("backup-status commit (hash the staged object, copy, manifest): %.1f s%n", commitS);
            db.sql(null, "DROP DATABASE wordpress");
            long r0 = System.nanoTime();
            HostScripts.Run restore = scripts.run("backup-restore.sh", Map.of("QM_BUCKET", "qm-backups", "QM_KEY", key, "QM_DATABASE", "wordpress"));
            double restoreS = (System.nanoTime() - r0) / 1e9;
            if (!restore.ok()) {
                System.err.println(restore.output());
                return 1;
            }
            System.out.printf("restore (checksum pass + import + row-count check): %.1f s%n", restoreS);
            System.out.printf("backup-time-ratio=%.2f host-temp-bytes=%d restore-s=%.1f%n", (double) bestDump / bestNull, tempBytes, restoreS);
            return 0;
        } finally {
            VerifyBench.deleteTree(dir);
        }
    }

    private static dev.quartermaster.backup.BackupRecord commit(LocalS3 s3, String key, String dumpOutput) {
        var config = dev.quartermaster.backup.BackupConfig.from(dev.quartermaster.common.Settings.of(Map.of("BACKUP_BUCKET", "qm-backups",
                "DATABASE", "wordpress")));
        try (var client = s3.client()) {
            var service = new dev.quartermaster.backup.BackupService(config, null, new dev.quartermaster.backup.S3BackupObjects(client),
                    null, null, null, null, java.time.Clock.systemUTC());
            return service.commitAndVerify(dev.quartermaster.backup.BackupRecord.running(dev.quartermaster.backup.BackupRecord.Kind.BACKUP,
                    "wordpress", java.time.Instant.now(), "bench", key, null), dumpOutput);
        }
    }

    private static long treeBytes(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    /** mariadb-dump with its output thrown away (counted on the way); returns the dump's size. */
    private static long dumpToNull(LocalMariaDb db) throws Exception {
        Process p = new ProcessBuilder("mariadb-dump", "--defaults-extra-file=" + db.defaultsFile(), "--single-transaction", "--quick",
                "--routines", "--triggers", "--events", "--hex-blob", "wordpress")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        long bytes = p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("mariadb-dump > /dev/null failed");
        }
        return bytes;
    }
}

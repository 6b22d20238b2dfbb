package dev.quartermaster.cli.bench;

import dev.quartermaster.cli.*;
import dev.quartermaster.cli.commands.*;
import dev.quartermaster.cli.local.*;
import dev.quartermaster.cli.release.*;
import dev.quartermaster.cli.demo.*;

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
 * bench backup: a WordPress-like database of at least 100 MB. In each run, in the same conditions:
 * {@code mariadb-dump > /dev/null} (the floor), the seed lab's way (dump to a file, then
 * {@code aws s3 cp} of the file), and the real dump script streaming to S3Mock; wall time and the CPU
 * the host spends (the script and everything it runs, from /proc); bytes written under the host's
 * temp and working directories. Then backup-status's commit (hash, decompress, count rows, copy,
 * manifest) and the restore, timed.
 */
public final class BackupBench {
    private BackupBench() {
    }

    private record Timed(long wallMs, long cpuMs) {
    }

    static int run(int runs, String compression) throws Exception {
        Path dir = Files.createTempDirectory("qm-bench-backup");
        try (LocalS3 s3 = LocalS3.start(dir.resolve("s3"), List.of("qm-backups"));
             LocalMariaDb db = LocalMariaDb.start(dir.resolve("mariadb"))) {
            System.out.println("seeding a WordPress-like database (60,000 posts)...");
            db.seedWordPress("wordpress", "Benchmark", 60_000, 1800);
            System.out.printf("database: %s posts, plain SQL dump %.1f MB%n", db.sql("wordpress", "SELECT COUNT(*) FROM wp_posts"),
                    dumpSize(db) / 1e6);
            HostScripts scripts = new HostScripts(LocalEnvironment.home(), s3, db);
            Path tmp = Files.createDirectories(dir.resolve("host-tmp"));
            Path work = Files.createDirectories(dir.resolve("host-work"));
            double bestRatio = Double.MAX_VALUE;
            double cpuRatio = 0;
            double seedRatio = 0;
            long tempBytes = 0;
            String key = null;
            String lastOutput = "";
            for (int i = 0; i < runs; i++) {
                Timed floor = shell(db, s3, "mariadb-dump " + dumpArgs(db) + " > /dev/null");
                Timed seed = shell(db, s3, "mariadb-dump " + dumpArgs(db) + " > \"$QM_SEED_FILE\" && aws s3 cp \"$QM_SEED_FILE\" "
                        + "s3://qm-backups/seed/run-" + i + ".sql --only-show-errors; rc=$?; rm -f \"$QM_SEED_FILE\"; (exit $rc)",
                        Map.of("QM_SEED_FILE", dir.resolve("seed.sql").toString()));
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
                double ratio = (double) dumpMs / floor.wallMs();
                System.out.printf("run %d: mariadb-dump > /dev/null %d ms (cpu %d ms); seed way (file, then aws s3 cp) %d ms; "
                                + "dump | %s -1 | sha256 | S3 %d ms (host cpu %d ms)%n", i + 1, floor.wallMs(), floor.cpuMs(), seed.wallMs(),
                        compression, dumpMs, run.cpuMillis());
                if (ratio < bestRatio) {
                    bestRatio = ratio;
                    cpuRatio = (double) run.cpuMillis() / Math.max(1, floor.cpuMs());
                    seedRatio = (double) seed.wallMs() / floor.wallMs();
                }
            }
            // what backup-status does when SSM reports success: check the staged object, count rows, commit
            long c0 = System.nanoTime();
            var committed = commit(s3, key, lastOutput);
            double commitS = (System.nanoTime() - c0) / 1e9;
            if (committed.status() != dev.quartermaster.backup.BackupRecord.Status.VERIFIED) {
                System.err.println("commit failed: " + committed.error());
                return 1;
            }
            System.out.printf("backup-status commit (hash, decompress, count %d rows in %d tables, copy, manifest): %.1f s%n",
                    committed.rows(), committed.tables(), commitS);
            db.sql(null, "DROP DATABASE wordpress");
            long r0 = System.nanoTime();
            HostScripts.Run restore = scripts.run("backup-restore.sh", Map.of("QM_BUCKET", "qm-backups", "QM_KEY", key, "QM_DATABASE", "wordpress"));
            double restoreS = (System.nanoTime() - r0) / 1e9;
            if (!restore.ok()) {
                System.err.println(restore.output());
                return 1;
            }
            System.out.printf("restore (one checksummed download into a scratch database, row counts, swap): %.1f s%n", restoreS);
            System.out.printf("backup-time-ratio=%.2f host-cpu-ratio=%.2f host-temp-bytes=%d seed-ratio=%.2f restore-s=%.1f%n",
                    bestRatio, cpuRatio, tempBytes, seedRatio, restoreS);
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

    private static String dumpArgs(LocalMariaDb db) {
        return "--defaults-extra-file=" + db.defaultsFile() + " --single-transaction --quick --routines --triggers --events --hex-blob wordpress";
    }

    private static Timed shell(LocalMariaDb db, LocalS3 s3, String command) throws Exception {
        return shell(db, s3, command, Map.of());
    }

    /** A bash command with the AWS CLI pointed at S3Mock; wall time and the CPU of everything it ran. */
    private static Timed shell(LocalMariaDb db, LocalS3 s3, String command, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", HostScripts.withCpu("{ " + command + "; }")).redirectErrorStream(true);
        pb.environment().remove("AWS_PROFILE");
        pb.environment().remove("AWS_CA_BUNDLE");
        pb.environment().putAll(s3.cliEnvironment());
        pb.environment().putAll(env);
        long t0 = System.nanoTime();
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("bench step failed: " + command + "\n" + out);
        }
        long wall = (System.nanoTime() - t0) / 1_000_000;
        return new Timed(wall, new HostScripts.Run(0, out).cpuMillis());
    }

    private static long treeBytes(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    /** The plain dump's size. */
    private static long dumpSize(LocalMariaDb db) throws Exception {
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

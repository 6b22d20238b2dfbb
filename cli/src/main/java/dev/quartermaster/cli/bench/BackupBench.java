package dev.quartermaster.cli.bench;

import dev.quartermaster.cli.local.LocalEnvironment;
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
 * bench backup, with AWS CLI v2 (the hosts' CLI): a WordPress-like database of about 110 MB, then
 * one ten times larger made the same way; medians of at least 5 runs each. In each run, in the same
 * conditions: {@code mariadb-dump > /dev/null} (the floor), the seed lab's way (dump to a file,
 * then {@code aws s3 cp} of the file), and the real dump script streaming to S3Mock; wall time and
 * the CPU the host spends (the script and everything it runs, from /proc); bytes written under the
 * host's temp and working directories. Then backup-status's commit (hash, decompress, count rows,
 * copy, manifest) and the restore, timed.
 */
public final class BackupBench {
    private BackupBench() {}

    private record Timed(long wallMs, long cpuMs) {}

    /** One size's runs: per run the floor, the seed's way and the pipeline (wall and host CPU). */
    private record Runs(
            List<Timed> floor,
            List<Timed> seed,
            List<Timed> pipeline,
            long tempBytes,
            String key,
            String lastOutput) {
        double timeRatio() {
            return medianOf(i -> (double) pipeline.get(i).wallMs() / floor.get(i).wallMs());
        }

        double cpuRatio() {
            return medianOf(
                    i -> (double) pipeline.get(i).cpuMs() / Math.max(1, floor.get(i).cpuMs()));
        }

        double seedRatio() {
            return medianOf(i -> (double) seed.get(i).wallMs() / floor.get(i).wallMs());
        }

        /** What the pipeline costs beyond the dump itself, in seconds. */
        double fixedSeconds() {
            return medianOf(i -> (pipeline.get(i).wallMs() - floor.get(i).wallMs()) / 1000.0);
        }

        long beatSeed() {
            return java.util.stream.IntStream.range(0, pipeline.size())
                    .filter(i -> pipeline.get(i).wallMs() < seed.get(i).wallMs())
                    .count();
        }

        private double medianOf(java.util.function.IntToDoubleFunction f) {
            double[] xs =
                    java.util.stream.IntStream.range(0, pipeline.size())
                            .mapToDouble(f)
                            .sorted()
                            .toArray();
            return xs[xs.length / 2];
        }
    }

    static int run(int requestedRuns, String compression) throws Exception {
        int runs = Math.max(5, requestedRuns); // medians of 5 at least: single runs vary by tens of
        // percent here
        var cli = dev.quartermaster.testkit.AwsCliV2.find().orElse(null);
        if (cli == null) {
            System.err.println(
                    "bench backup measures with AWS CLI v2, the CLI the hosts run (Amazon Linux 2023), and found none: "
                            + "bin/setup-local installs Debian's awscli (v2)");
            return 2;
        }
        Path dir = Files.createTempDirectory("qm-bench-backup");
        try (LocalS3 s3 = LocalS3.start(dir.resolve("s3"), List.of("qm-backups"));
                LocalMariaDb db = LocalMariaDb.start(dir.resolve("mariadb"))) {
            Map<String, String> cliEnv = cli.environment(dir.resolve("aws-cli-v2"));
            System.out.println(
                    "AWS CLI "
                            + cli.version()
                            + " ("
                            + cli.binary()
                            + "), for the seed's way and the host scripts alike");
            System.out.println("seeding a WordPress-like database (60,000 posts)...");
            db.seedWordPress("wordpress", "Benchmark", 60_000, 1800);
            System.out.printf(
                    "database: %s posts, plain SQL dump %.1f MB%n",
                    db.sql("wordpress", "SELECT COUNT(*) FROM wp_posts"), dumpSize(db) / 1e6);
            HostScripts scripts = new HostScripts(LocalEnvironment.home(), s3, db);
            Runs small = measure(db, s3, scripts, cliEnv, dir, compression, runs, "small");
            if (small == null) {
                return 1;
            }
            // what backup-status does when SSM reports success: check the staged object, count
            // rows, commit
            long c0 = System.nanoTime();
            var committed = commit(s3, small.key(), small.lastOutput());
            double commitS = (System.nanoTime() - c0) / 1e9;
            if (committed.status() != dev.quartermaster.backup.BackupRecord.Status.VERIFIED) {
                System.err.println("commit failed: " + committed.error());
                return 1;
            }
            System.out.printf(
                    "backup-status commit (hash, decompress, count %d rows in %d tables, copy, manifest): %.1f s%n",
                    committed.rows(), committed.tables(), commitS);
            db.sql(null, "DROP DATABASE wordpress");
            long r0 = System.nanoTime();
            HostScripts.Run restore =
                    scripts.run(
                            "backup-restore.sh",
                            Map.of(
                                    "QM_BUCKET",
                                    "qm-backups",
                                    "QM_KEY",
                                    small.key(),
                                    "QM_DATABASE",
                                    "wordpress"),
                            cliEnv);
            double restoreS = (System.nanoTime() - r0) / 1e9;
            if (!restore.ok()) {
                System.err.println(restore.output());
                return 1;
            }
            System.out.printf(
                    "restore (proving download, checksummed import into a scratch database, row counts, swap): %.1f s%n",
                    restoreS);

            System.out.println("seeding a ten times larger one the same way (600,000 posts)...");
            db.seedWordPress("wordpress", "Benchmark", 600_000, 1800);
            System.out.printf(
                    "database: %s posts, plain SQL dump %.1f MB%n",
                    db.sql("wordpress", "SELECT COUNT(*) FROM wp_posts"), dumpSize(db) / 1e6);
            Runs large = measure(db, s3, scripts, cliEnv, dir, compression, runs, "1g");
            if (large == null) {
                return 1;
            }
            System.out.printf(
                    "the pipeline beat the seed's way in %d/%d small runs and %d/%d large runs%n",
                    small.beatSeed(), runs, large.beatSeed(), runs);
            System.out.printf(
                    "backup-time-ratio=%.2f host-cpu-ratio=%.2f host-temp-bytes=%d seed-ratio=%.2f restore-s=%.1f%n",
                    small.timeRatio(),
                    small.cpuRatio(),
                    small.tempBytes(),
                    small.seedRatio(),
                    restoreS);
            System.out.printf(
                    "cli=%s fixed-s=%.2f backup-time-ratio-1g=%.2f host-cpu-ratio-1g=%.2f seed-ratio-1g=%.2f%n",
                    cli.version(),
                    small.fixedSeconds(),
                    large.timeRatio(),
                    large.cpuRatio(),
                    large.seedRatio());
            return 0;
        } finally {
            VerifyBench.deleteTree(dir);
        }
    }

    /**
     * {@code runs} rounds of: the floor, the seed's way, the real dump script; null if the script
     * failed.
     */
    private static Runs measure(
            LocalMariaDb db,
            LocalS3 s3,
            HostScripts scripts,
            Map<String, String> cliEnv,
            Path dir,
            String compression,
            int runs,
            String size)
            throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("host-tmp"));
        Path work = Files.createDirectories(dir.resolve("host-work"));
        List<Timed> floors = new java.util.ArrayList<>();
        List<Timed> seeds = new java.util.ArrayList<>();
        List<Timed> pipelines = new java.util.ArrayList<>();
        long tempBytes = 0;
        String key = null;
        String lastOutput = "";
        for (int i = 0; i < runs; i++) {
            Timed floor = shell(db, s3, "mariadb-dump " + dumpArgs(db) + " > /dev/null", cliEnv);
            Map<String, String> seedEnv = new java.util.HashMap<>(cliEnv);
            seedEnv.put("QM_SEED_FILE", dir.resolve("seed.sql").toString());
            Timed seed =
                    shell(
                            db,
                            s3,
                            "mariadb-dump "
                                    + dumpArgs(db)
                                    + " > \"$QM_SEED_FILE\" && aws s3 cp \"$QM_SEED_FILE\" "
                                    + "s3://qm-backups/seed/"
                                    + size
                                    + "-run-"
                                    + i
                                    + ".sql --only-show-errors; rc=$?; rm -f \"$QM_SEED_FILE\"; (exit $rc)",
                            seedEnv);
            key =
                    "backups/wordpress/bench/"
                            + size
                            + "-run-"
                            + i
                            + (compression.equals("zstd") ? ".sql.zst" : ".sql.gz");
            long before = treeBytes(tmp) + treeBytes(work);
            java.util.concurrent.atomic.AtomicLong peak =
                    new java.util.concurrent.atomic.AtomicLong(before);
            java.util.concurrent.atomic.AtomicBoolean running =
                    new java.util.concurrent.atomic.AtomicBoolean(true);
            Thread watcher =
                    new Thread(
                            () -> {
                                while (running.get()) {
                                    try {
                                        peak.accumulateAndGet(
                                                treeBytes(tmp) + treeBytes(work), Math::max);
                                        Thread.sleep(20);
                                    } catch (IOException
                                            | java.io.UncheckedIOException
                                            | InterruptedException ignored) {
                                        // a file vanished mid-walk: sample again
                                    }
                                }
                            });
            watcher.start();
            Map<String, String> hostEnv = new java.util.HashMap<>(cliEnv);
            hostEnv.put("TMPDIR", tmp.toString());
            long t1 = System.nanoTime();
            HostScripts.Run run =
                    scripts.run(
                            "backup-dump.sh",
                            Map.of(
                                    "QM_BUCKET",
                                    "qm-backups",
                                    "QM_KEY",
                                    key,
                                    "QM_DATABASE",
                                    "wordpress",
                                    "QM_COMPRESSION",
                                    compression),
                            hostEnv,
                            work);
            long dumpMs = (System.nanoTime() - t1) / 1_000_000;
            running.set(false);
            watcher.join();
            if (!run.ok()) {
                System.err.println(run.output());
                return null;
            }
            tempBytes = Math.max(tempBytes, peak.get() - before);
            lastOutput = run.output();
            floors.add(floor);
            seeds.add(seed);
            pipelines.add(new Timed(dumpMs, run.cpuMillis()));
            System.out.printf(
                    "%s run %d: mariadb-dump > /dev/null %d ms (cpu %d ms); seed way (file, then aws s3 cp) %d ms; "
                            + "dump | %s -1 | sha256 | S3 %d ms (host cpu %d ms)%n",
                    size,
                    i + 1,
                    floor.wallMs(),
                    floor.cpuMs(),
                    seed.wallMs(),
                    compression,
                    dumpMs,
                    run.cpuMillis());
        }
        return new Runs(floors, seeds, pipelines, tempBytes, key, lastOutput);
    }

    private static dev.quartermaster.backup.BackupRecord commit(
            LocalS3 s3, String key, String dumpOutput) {
        var config =
                dev.quartermaster.backup.BackupConfig.from(
                        dev.quartermaster.common.Settings.of(backupSettings()));
        try (var client = s3.client()) {
            var service =
                    new dev.quartermaster.backup.BackupService(
                            config,
                            null,
                            new dev.quartermaster.backup.S3BackupObjects(client),
                            null,
                            null,
                            null,
                            null,
                            java.time.Clock.systemUTC());
            return service.commitAndVerify(
                    dev.quartermaster.backup.BackupRecord.running(
                            dev.quartermaster.backup.BackupRecord.Kind.BACKUP,
                            "wordpress",
                            java.time.Instant.now(),
                            "bench",
                            key,
                            null),
                    dumpOutput);
        }
    }

    /** The local buckets (their one producer) and the lab's database. */
    private static Map<String, String> backupSettings() {
        Map<String, String> m = new java.util.HashMap<>(LocalEnvironment.bucketSettings());
        m.put(dev.quartermaster.contract.Setting.DATABASE.name(), LocalEnvironment.DATABASE);
        return m;
    }

    private static String dumpArgs(LocalMariaDb db) {
        return "--defaults-extra-file="
                + db.defaultsFile()
                + " --single-transaction --quick --routines --triggers --events --hex-blob wordpress";
    }

    /**
     * A bash command with the AWS CLI pointed at S3Mock; wall time and the CPU of everything it
     * ran.
     */
    private static Timed shell(LocalMariaDb db, LocalS3 s3, String command, Map<String, String> env)
            throws Exception {
        ProcessBuilder pb =
                new ProcessBuilder("bash", "-c", HostScripts.withCpu("{ " + command + "; }"))
                        .redirectErrorStream(true);
        pb.environment().remove("AWS_PROFILE");
        pb.environment().remove("AWS_CA_BUNDLE");
        pb.environment().putAll(s3.cliEnvironment());
        pb.environment().putAll(env);
        long t0 = System.nanoTime();
        Process p = pb.start();
        String out =
                new String(
                        p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
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
                                "wordpress")
                        .redirectError(ProcessBuilder.Redirect.INHERIT)
                        .start();
        long bytes = p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("mariadb-dump > /dev/null failed");
        }
        return bytes;
    }
}

package dev.quartermaster.cli.commands;

import dev.quartermaster.backup.BackupRecord;
import dev.quartermaster.backup.BackupStore;
import dev.quartermaster.cli.console.Target;
import dev.quartermaster.cli.local.LocalEnvironment;
import dev.quartermaster.cli.local.LocalServices;
import dev.quartermaster.contract.Host;
import dev.quartermaster.contract.HostDocument;
import dev.quartermaster.contract.HostParam;
import dev.quartermaster.contract.Setting;
import dev.quartermaster.host.HostRoot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Callable;

/** Restores a named or the latest verified backup into the database, after confirmation. */
@Command(
        name = "restore",
        description = {
            "Restore a backup (default: the latest verified) into the database, replacing it.",
            "The object's checksum is checked against its manifest before the database is touched.",
            "Asks for confirmation unless --yes."
        })
public final class RestoreCommand implements Callable<Integer> {
    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "KEY",
            description = "backup key (backups/...); default: the latest verified backup")
    String key;

    @Option(
            names = "--database",
            description = "database to restore into (default: the one backed up)")
    String database;

    @Option(names = "--yes", description = "do not ask for confirmation (for scripts)")
    boolean yes;

    @Mixin Target target = new Target();

    @Override
    public Integer call() throws Exception {
        if (target.aws) {
            var settings = target.awsSettings();
            String db =
                    database != null
                            ? database
                            : settings.getOrDefault(
                                    dev.quartermaster.contract.Setting.DATABASE.name(),
                                    target.configuration().backups().database());
            var platform = target.awsPlatform();
            String k = resolve(dev.quartermaster.backup.BackupRoot.store(platform), db);
            if (k == null || !confirm(db, k)) {
                return k == null ? 3 : 1;
            }
            Map<String, String> params =
                    call(
                                    settings.get("BACKUP_BUCKET"),
                                    k,
                                    db,
                                    settings.getOrDefault("DB_CONTAINER", ""))
                            .with(
                                    HostParam.PASSWORD_PARAMETER,
                                    settings.getOrDefault("DB_PASSWORD_PARAMETER", ""))
                            .parameters();
            String id;
            try {
                Host host =
                        Host.database(
                                Host.parseList(
                                        settings.getOrDefault(
                                                "HOSTS", Setting.HOSTS.defaultValue())));
                id =
                        HostRoot.ssmCommands(platform)
                                .send(
                                        settings.get("RESTORE_DOCUMENT"),
                                        params,
                                        host,
                                        "Quartermaster restore");
            } catch (dev.quartermaster.host.CommandRunner.TargetException e) {
                System.err.println("qm restore: nothing sent: " + e.getMessage());
                return 2;
            }
            System.out.println(
                    "restore sent: SSM command "
                            + id
                            + "; follow it with: aws ssm list-command-invocations --command-id "
                            + id
                            + " --details");
            return 0;
        }
        try (LocalEnvironment local = target.local()) {
            String db = database != null ? database : LocalEnvironment.DATABASE;
            LocalServices ls = LocalServices.create(local, null, System.err, true);
            String k = resolve(dev.quartermaster.backup.BackupRoot.store(ls.platform()), db);
            if (k == null || !confirm(db, k)) {
                return k == null ? 3 : 1;
            }
            // what the restore document would export for these parameters (MariaDB runs on this
            // machine, not in a container)
            var run =
                    local.hostScripts()
                            .run(
                                    HostDocument.RESTORE.script(),
                                    HostDocument.RESTORE.environment(
                                            call(LocalEnvironment.BUCKET, k, db, "").parameters()));
            System.out.println(run.output().strip());
            return run.ok() ? 0 : 1;
        }
    }

    private static HostDocument.Call call(String bucket, String key, String db, String container) {
        return HostDocument.RESTORE
                .call()
                .with(HostParam.BUCKET, bucket)
                .with(HostParam.KEY, key)
                .with(HostParam.DATABASE, db)
                .with(HostParam.CONTAINER, container);
    }

    private String resolve(BackupStore store, String db) {
        if (key != null) {
            if (!key.matches("backups/[A-Za-z0-9/_.:-]+")) {
                System.err.println(
                        "qm restore: '"
                                + key
                                + "' is not a backup key (backups/...); list them with bin/qm backups");
                return null;
            }
            return key;
        }
        var latest = store.latestVerified(db).map(BackupRecord::key);
        if (latest.isEmpty()) {
            System.err.println(
                    "qm restore: no verified backup of "
                            + db
                            + " to restore; run bin/qm backup-now first");
            return null;
        }
        return latest.get();
    }

    private boolean confirm(String db, String k) throws Exception {
        if (yes) {
            return true;
        }
        System.out.print(
                "This REPLACES database '"
                        + db
                        + "' with "
                        + k
                        + " (proven in a scratch database first; the replaced tables are kept in qm_prev_"
                        + db
                        + "). Type yes to continue: ");
        System.out.flush();
        String answer =
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                        .readLine();
        if (!"yes".equals(answer == null ? null : answer.trim())) {
            System.err.println("qm restore: not confirmed; nothing was changed");
            return false;
        }
        return true;
    }
}

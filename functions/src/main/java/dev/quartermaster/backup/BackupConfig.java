package dev.quartermaster.backup;

import dev.quartermaster.common.Settings;
import dev.quartermaster.contract.Host;
import dev.quartermaster.contract.Setting;

/**
 * What the backup functions are told by the stack (environment variables), read at once; each
 * default is the contract's.
 */
public record BackupConfig(
        String bucket,
        String database,
        String container,
        Host host,
        String dumpDocument,
        String drillDocument,
        int windowHours,
        int maxAgeHours,
        String compression,
        String passwordParameter,
        String commandLogGroup) {

    public BackupConfig {
        if (!compression.equals("gzip") && !compression.equals("zstd")) {
            throw new IllegalStateException(
                    "BACKUP_COMPRESSION='" + compression + "' must be gzip or zstd");
        }
    }

    public static BackupConfig from(Settings s) {
        return new BackupConfig(
                s.get(Setting.BACKUP_BUCKET),
                s.get(Setting.DATABASE),
                s.get(Setting.DB_CONTAINER),
                Host.database(Host.parseList(s.get(Setting.HOSTS))),
                s.get(Setting.DUMP_DOCUMENT),
                s.get(Setting.DRILL_DOCUMENT),
                s.getInt(Setting.BACKUP_WINDOW_HOURS),
                s.getInt(Setting.MAX_BACKUP_AGE_HOURS),
                s.get(Setting.BACKUP_COMPRESSION),
                s.get(Setting.DB_PASSWORD_PARAMETER),
                s.get(Setting.COMMAND_LOG_GROUP));
    }
}

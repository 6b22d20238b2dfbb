package dev.quartermaster.backup;

import dev.quartermaster.common.Settings;

/** What the backup functions are told by the stack (environment variables), read at once. */
public record BackupConfig(String bucket, String database, String container, String tagKey, String tagValue,
                           String dumpDocument, String drillDocument, int windowHours, int maxAgeHours, String compression,
                           String passwordParameter, String commandLogGroup) {

    public BackupConfig {
        if (!compression.equals("gzip") && !compression.equals("zstd")) {
            throw new IllegalStateException("BACKUP_COMPRESSION='" + compression + "' must be gzip or zstd");
        }
    }

    public static BackupConfig from(Settings s) {
        return new BackupConfig(s.require("BACKUP_BUCKET"), s.getOrDefault("DATABASE", "wordpress"), s.getOrDefault("DB_CONTAINER", ""),
                s.getOrDefault("HOST_TAG_KEY", "qm:backup"), s.getOrDefault("HOST_TAG_VALUE", "true"),
                s.getOrDefault("DUMP_DOCUMENT", "QuartermasterDump"), s.getOrDefault("DRILL_DOCUMENT", "QuartermasterDrill"),
                s.getInt("BACKUP_WINDOW_HOURS", 2), s.getInt("MAX_BACKUP_AGE_HOURS", 26), s.getOrDefault("BACKUP_COMPRESSION", "zstd"),
                s.getOrDefault("DB_PASSWORD_PARAMETER", ""), s.getOrDefault("COMMAND_LOG_GROUP", "/quartermaster/ssm"));
    }
}

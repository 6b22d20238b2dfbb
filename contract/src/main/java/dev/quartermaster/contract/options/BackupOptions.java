package dev.quartermaster.contract.options;

import static dev.quartermaster.contract.options.Options.BACKUP_COLD_AFTER_DAYS;
import static dev.quartermaster.contract.options.Options.BACKUP_COMPRESSION;
import static dev.quartermaster.contract.options.Options.BACKUP_RETENTION_DAYS;
import static dev.quartermaster.contract.options.Options.BACKUP_SCHEDULE;
import static dev.quartermaster.contract.options.Options.BACKUP_WINDOW_HOURS;
import static dev.quartermaster.contract.options.Options.DATABASE;
import static dev.quartermaster.contract.options.Options.DB_CONTAINER;
import static dev.quartermaster.contract.options.Options.DB_PASSWORD_PARAMETER;
import static dev.quartermaster.contract.options.Options.DRILL_SCHEDULE;
import static dev.quartermaster.contract.options.Options.MAX_BACKUP_AGE_HOURS;

/**
 * Database backups: when they run and are drilled, what is dumped and how, how long backups are
 * kept, when a missing one alerts.
 */
public record BackupOptions(
        String schedule,
        int retentionDays,
        int coldAfterDays,
        int windowHours,
        String database,
        String dbContainer,
        String drillSchedule,
        String dbPasswordParameter,
        String compression,
        int maxBackupAgeHours) {

    static BackupOptions read(OptionSource s, Problems problems) {
        BackupOptions b =
                new BackupOptions(
                        BACKUP_SCHEDULE.read(s, problems),
                        BACKUP_RETENTION_DAYS.read(s, problems),
                        BACKUP_COLD_AFTER_DAYS.read(s, problems),
                        BACKUP_WINDOW_HOURS.read(s, problems),
                        DATABASE.read(s, problems),
                        DB_CONTAINER.read(s, problems),
                        DRILL_SCHEDULE.read(s, problems),
                        DB_PASSWORD_PARAMETER.read(s, problems),
                        BACKUP_COMPRESSION.read(s, problems),
                        MAX_BACKUP_AGE_HOURS.read(s, problems));
        if (b.coldAfterDays() > 0 && b.coldAfterDays() >= b.retentionDays()) {
            problems.add(
                    BACKUP_COLD_AFTER_DAYS
                            + " ("
                            + b.coldAfterDays()
                            + ") must be smaller than "
                            + BACKUP_RETENTION_DAYS
                            + " ("
                            + b.retentionDays()
                            + "), or 0 to keep backups in S3 Standard");
        }
        return b;
    }
}

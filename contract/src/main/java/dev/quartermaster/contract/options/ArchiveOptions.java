package dev.quartermaster.contract.options;

import static dev.quartermaster.contract.options.Options.ARCHIVE_COLD_AFTER_DAYS;
import static dev.quartermaster.contract.options.Options.ARCHIVE_GRACE_HOURS;
import static dev.quartermaster.contract.options.Options.ARCHIVE_OBJECT_LOCK_DAYS;
import static dev.quartermaster.contract.options.Options.ARCHIVE_RETENTION_DAYS;
import static dev.quartermaster.contract.options.Options.ARCHIVE_SCRUB_PERCENT;

/**
 * The image archive: how long deleted images stay, the prune's grace, the scrub's share, cold
 * storage and Object Lock.
 */
public record ArchiveOptions(
        int retentionDays,
        int graceHours,
        int scrubPercent,
        int coldAfterDays,
        int objectLockDays) {

    static ArchiveOptions read(OptionSource s, Problems problems) {
        ArchiveOptions a =
                new ArchiveOptions(
                        ARCHIVE_RETENTION_DAYS.read(s, problems),
                        ARCHIVE_GRACE_HOURS.read(s, problems),
                        ARCHIVE_SCRUB_PERCENT.read(s, problems),
                        ARCHIVE_COLD_AFTER_DAYS.read(s, problems),
                        ARCHIVE_OBJECT_LOCK_DAYS.read(s, problems));
        if (a.objectLockDays() > a.retentionDays()) {
            problems.add(
                    ARCHIVE_OBJECT_LOCK_DAYS
                            + " ("
                            + a.objectLockDays()
                            + ") must not exceed "
                            + ARCHIVE_RETENTION_DAYS
                            + " ("
                            + a.retentionDays()
                            + "): the prune could not delete what it is locked from deleting");
        }
        return a;
    }
}

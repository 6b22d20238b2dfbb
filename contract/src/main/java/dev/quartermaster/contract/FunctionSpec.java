package dev.quartermaster.contract;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * One function as both sides see it: the name it is deployed and invoked under, its handler class,
 * the settings it reads (and the stack must set), the table actions it uses, its memory and
 * timeout.
 */
public record FunctionSpec(
        String name,
        String handlerClass,
        String description,
        Set<Setting> settings,
        TableAccess tableAccess,
        int memoryMb,
        int timeoutSeconds) {

    public FunctionSpec {
        settings = Set.copyOf(EnumSet.copyOf(settings));
        Bundle.of(handlerClass); // every function belongs to a jar
    }

    /** The jar this function is deployed from. */
    public Bundle bundle() {
        return Bundle.of(handlerClass);
    }

    /**
     * What every function does with the alert log table (whatever raises an alert logs it): count
     * an occurrence (update), read a window (get), open one (put, and a transaction of puts moving
     * the ended one to the history). alert-sweep alone also lists what is due (Query on the table's
     * Due index).
     */
    public static final List<String> ALERT_LOG_ACTIONS =
            List.of("GetItem", "PutItem", "UpdateItem");

    /**
     * What a function does with the ledger table; the stack grants exactly these actions. (Every
     * function also writes the alert log, a table of its own: {@link #ALERT_LOG_ACTIONS}.)
     */
    public enum TableAccess {
        /**
         * image-action: reads heads and images, writes one transaction per event, marks alerts
         * delivered.
         */
        LEDGER_WRITER("GetItem", "Query", "PutItem", "UpdateItem", "ConditionCheckItem"),
        /**
         * image-verify, image-archive: claim the work (put, get, update), update the image item.
         * With the signature gate on the stack adds Query for image-verify alone: its hourly
         * schedule lists the images whose signatures it re-checks.
         */
        CLAIMS_AND_UPDATES("GetItem", "PutItem", "UpdateItem"),
        /**
         * image-scan: claims, the image item, Inspector's findings per digest (query), the release
         * history and the images (query).
         */
        SCAN_RECORDS("GetItem", "PutItem", "UpdateItem", "Query"),
        /**
         * image-replication: a replica per digest and destination with its due-date entry
         * (transactions of put, update, delete), the due list (query).
         */
        REPLICAS("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query"),
        /**
         * the backup functions: claims, backup records (put, conditional settle), listing records
         * by time.
         */
        BACKUP_RECORDS("GetItem", "PutItem", "UpdateItem", "Query"),
        /**
         * archive-scrub, archive-prune: read an image's deletion, record an image's completeness.
         */
        ARCHIVE_UPKEEP("GetItem", "UpdateItem"),
        /**
         * release-status, release-drift: release records (put with its pointer, conditional settle,
         * history by app).
         */
        RELEASE_RECORDS("GetItem", "PutItem", "Query", "ConditionCheckItem"),
        /**
         * lifecycle-guard: a claim per event (conditional update, get), the release history
         * (query), the image's archive state (get).
         */
        GUARD_CLAIMS("GetItem", "UpdateItem", "Query"),
        /**
         * alert-sweep: nothing in the ledger (it reads and writes only the alert log, which every
         * function may write).
         */
        NONE();

        private final List<String> actions;

        TableAccess(String... actions) {
            this.actions = List.of(actions);
        }

        /** DynamoDB action names without the {@code dynamodb:} prefix. */
        public List<String> actions() {
            return actions;
        }
    }
}

package dev.quartermaster.contract;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * One function as both sides see it: the name it is deployed and invoked under, its handler class, the
 * settings it reads (and the stack must set), the table actions it uses, its memory and timeout.
 */
public record FunctionSpec(String name, String handlerClass, String description, Set<Setting> settings,
                           TableAccess tableAccess, int memoryMb, int timeoutSeconds) {

    public FunctionSpec {
        settings = Set.copyOf(EnumSet.copyOf(settings));
        Bundle.of(handlerClass); // every function belongs to a jar
    }

    /** The jar this function is deployed from. */
    public Bundle bundle() {
        return Bundle.of(handlerClass);
    }

    /** What a function does with the ledger table; the stack grants exactly these actions. */
    public enum TableAccess {
        /** image-action: reads heads and images, writes one transaction per event, marks alerts delivered. */
        LEDGER_WRITER("GetItem", "Query", "PutItem", "UpdateItem", "ConditionCheckItem"),
        /**
         * image-verify, image-archive: claim the work (put, get, update), update the image item. With the signature gate on the
         * stack adds Query for image-verify alone: its hourly schedule lists the images whose signatures it re-checks.
         */
        CLAIMS_AND_UPDATES("GetItem", "PutItem", "UpdateItem"),
        /** image-scan: claims, the image item, Inspector's findings per digest (query), the release history and the images (query). */
        SCAN_RECORDS("GetItem", "PutItem", "UpdateItem", "Query"),
        /** image-replication: a replica per digest and destination with its due-date entry (transactions of put, update, delete), the due list (query). */
        REPLICAS("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query"),
        /** the backup functions: claims, backup records (put, conditional settle), listing records by time. */
        BACKUP_RECORDS("GetItem", "PutItem", "UpdateItem", "Query"),
        /** archive-scrub, archive-prune: read an image's deletion, record an image's completeness. */
        ARCHIVE_UPKEEP("GetItem", "UpdateItem"),
        /** release-status, release-drift: release records (put with its pointer, conditional settle, history by app). */
        RELEASE_RECORDS("GetItem", "PutItem", "Query", "ConditionCheckItem"),
        /** lifecycle-guard: a claim per event (conditional update, get), the release history (query), the image's archive state (get). */
        GUARD_CLAIMS("GetItem", "UpdateItem", "Query");

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

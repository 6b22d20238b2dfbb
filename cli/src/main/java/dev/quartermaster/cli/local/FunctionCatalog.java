package dev.quartermaster.cli.local;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.quartermaster.app.Handlers;
import dev.quartermaster.app.Wiring;
import dev.quartermaster.contract.Catalog;
import dev.quartermaster.contract.Setting;

/**
 * The functions the stack deploys, by the names it deploys them under: the contract's catalogue.
 */
public final class FunctionCatalog {
    private FunctionCatalog() {}

    /**
     * @throws IllegalArgumentException naming the functions the stack deploys, when {@code name} is
     *     none of them
     */
    public static RequestStreamHandler create(String name, Wiring wiring) {
        return Handlers.create(name, wiring);
    }

    /**
     * Null when the stack deploys {@code name}; otherwise what to say, naming the functions it
     * deploys.
     */
    public static String unknown(String name) {
        return Catalog.byName(name).isPresent()
                ? null
                : "unknown function '"
                        + name
                        + "'; the stack deploys: "
                        + String.join(", ", Catalog.names());
    }

    /** The archive functions: locally they need S3's archive bucket. */
    public static boolean needsArchive(String name) {
        return Catalog.byName(name)
                .map(f -> f.settings().contains(Setting.ARCHIVE_BUCKET))
                .orElse(false);
    }

    /**
     * Functions that reach the database host: locally they need S3, MariaDB and the local agent.
     */
    public static boolean needsBackups(String name) {
        return Catalog.byName(name)
                .map(f -> f.settings().contains(Setting.BACKUP_BUCKET))
                .orElse(false);
    }
}

package dev.quartermaster.cli.local;

import dev.quartermaster.cli.*;
import dev.quartermaster.cli.commands.*;
import dev.quartermaster.cli.release.*;
import dev.quartermaster.cli.bench.*;
import dev.quartermaster.cli.demo.*;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.quartermaster.app.Handlers;
import dev.quartermaster.app.Wiring;
import dev.quartermaster.contract.Catalog;
import dev.quartermaster.contract.Setting;

/** The functions the stack deploys, by the names it deploys them under: the contract's catalogue. */
public final class FunctionCatalog {
    private FunctionCatalog() {
    }

    public static RequestStreamHandler create(String name, Wiring wiring) {
        if (Catalog.byName(name).isEmpty()) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(new Qm()),
                    "unknown function '" + name + "'; the stack deploys: " + String.join(", ", Catalog.names()));
        }
        return Handlers.create(name, wiring);
    }

    /** The archive functions: locally they need S3's archive bucket. */
    public static boolean needsArchive(String name) {
        return Catalog.byName(name).map(f -> f.settings().contains(Setting.ARCHIVE_BUCKET)).orElse(false);
    }

    /** Functions that reach the database host: locally they need S3, MariaDB and the local agent. */
    public static boolean needsBackups(String name) {
        return Catalog.byName(name).map(f -> f.settings().contains(Setting.BACKUP_BUCKET)).orElse(false);
    }
}

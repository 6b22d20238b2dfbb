package dev.quartermaster.cli;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.quartermaster.common.Services;
import dev.quartermaster.ledger.ImageActionHandler;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/** The functions the stack deploys, by the names it deploys them under. */
final class FunctionCatalog {
    private static final Map<String, Function<Services, RequestStreamHandler>> FUNCTIONS = new LinkedHashMap<>();

    static {
        FUNCTIONS.put("image-action", ImageActionHandler::new);
        FUNCTIONS.put("image-verify", dev.quartermaster.verify.VerifyHandler::new);
        FUNCTIONS.put("image-scan", dev.quartermaster.verify.ScanHandler::new);
        FUNCTIONS.put("backup-start", dev.quartermaster.backup.BackupStartHandler::new);
        FUNCTIONS.put("backup-status", dev.quartermaster.backup.BackupStatusHandler::new);
        FUNCTIONS.put("restore-drill", dev.quartermaster.backup.RestoreDrillHandler::new);
        FUNCTIONS.put("backup-watchdog", dev.quartermaster.backup.BackupWatchdogHandler::new);
    }

    private FunctionCatalog() {
    }

    static RequestStreamHandler create(String name, Services services) {
        var factory = FUNCTIONS.get(name);
        if (factory == null) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(new Qm()),
                    "unknown function '" + name + "'; the stack deploys: " + String.join(", ", FUNCTIONS.keySet()));
        }
        return factory.apply(services);
    }

    static boolean needsBackups(String name) {
        return name.startsWith("backup-") || name.equals("restore-drill");
    }
}

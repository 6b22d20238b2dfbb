package dev.quartermaster.cli;

import dev.quartermaster.common.Services;
import dev.quartermaster.common.Settings;

import java.io.PrintStream;
import java.util.Map;

/** Services wired to the local backends; ports with no local AWS twin get local stand-ins. */
final class LocalServices {
    private LocalServices() {
    }

    static Services create(LocalEnvironment local, String registry, PrintStream console) {
        Map<String, String> settings = new java.util.HashMap<>(local.settings());
        if (registry != null) {
            settings.put("REGISTRY_URL", registry);
            settings.put("REGISTRY_AUTH", "none");
        }
        return new Services(Settings.of(settings))
                .withAlerts(new FileAlerts(local.stateDir().resolve("alerts.jsonl"), console));
    }
}

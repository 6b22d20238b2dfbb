package dev.quartermaster.cli;

import dev.quartermaster.common.Services;
import dev.quartermaster.common.Settings;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;

/** Services wired to the local backends; ports with no local AWS twin get local stand-ins. */
final class LocalServices {
    final Services services;
    final LocalAgent agent;
    final FileAlerts alerts;

    private LocalServices(Services services, LocalAgent agent, FileAlerts alerts) {
        this.services = services;
        this.agent = agent;
        this.alerts = alerts;
    }

    static Services create(LocalEnvironment local, String registry, PrintStream console) {
        return create(local, registry, console, false).services;
    }

    /**
     * @param registry OCI registry URL for image-verify (null: the local one, started on demand)
     * @param backups  also start S3 and MariaDB and run SSM commands with the local agent
     */
    static LocalServices create(LocalEnvironment local, String registry, PrintStream console, boolean backups) {
        Map<String, String> settings = new HashMap<>(backups ? local.backupSettings() : local.settings());
        settings.put("REGISTRY_AUTH", "none");
        if (registry != null) {
            settings.put("REGISTRY_URL", registry);
        } else {
            settings.put("REGISTRY_URL", "lazy"); // replaced below when a verifier needs it
        }
        FileAlerts alerts = new FileAlerts(local.stateDir().resolve("alerts.jsonl"), console);
        Services services = new LazyRegistryServices(Settings.of(settings), local, registry == null).withAlerts(alerts);
        LocalAgent agent = null;
        if (backups) {
            agent = new LocalAgent(local.hostScripts(), console);
            services.withCommandRunner(agent);
        }
        return new LocalServices(services, agent, alerts);
    }

    /** Starts the local registry only when a handler asks for the registry client. */
    private static final class LazyRegistryServices extends Services {
        private final LocalEnvironment local;
        private final boolean useLocal;
        private dev.quartermaster.registry.RegistryClient client;

        LazyRegistryServices(Settings settings, LocalEnvironment local, boolean useLocal) {
            super(settings);
            this.local = local;
            this.useLocal = useLocal;
        }

        @Override
        public synchronized dev.quartermaster.registry.RegistryClient registry() {
            if (!useLocal) {
                return super.registry();
            }
            if (client == null) {
                client = new dev.quartermaster.registry.RegistryClient(local.registry().url(), dev.quartermaster.registry.RegistryAuth.anonymous());
            }
            return client;
        }
    }
}

package dev.quartermaster.cli.local;

import dev.quartermaster.app.Wiring;
import dev.quartermaster.common.Platform;
import dev.quartermaster.common.Settings;
import dev.quartermaster.registry.RegistryAuth;
import dev.quartermaster.registry.RegistryClient;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;

/**
 * The functions' own composition roots, wired to the local backends: the same {@link Platform} the
 * Lambda functions build (pointing at DynamoDB Local and S3Mock), alerts to a file, the local
 * registry (started only when a verifier is built) and the local agent in place of SSM.
 */
public final class LocalServices {
    public final Wiring wiring;
    public final LocalAgent agent;
    public final FileAlerts alerts;

    private LocalServices(Wiring wiring, LocalAgent agent, FileAlerts alerts) {
        this.wiring = wiring;
        this.agent = agent;
        this.alerts = alerts;
    }

    public Platform platform() {
        return wiring.platform();
    }

    /** The platform alone (ledger and backup listings). */
    public static Platform platform(LocalEnvironment local, PrintStream console) {
        return create(local, null, console, false).platform();
    }

    /**
     * @param registry OCI registry URL for image-verify (null: the local one, started when a
     *     verifier is built)
     * @param backups also start S3 and MariaDB and run SSM commands with the local agent
     */
    public static LocalServices create(
            LocalEnvironment local, String registry, PrintStream console, boolean backups) {
        return create(local, registry, console, backups, false);
    }

    /**
     * @param archive also start S3 and point the archive functions at the local archive bucket
     */
    public static LocalServices create(
            LocalEnvironment local,
            String registry,
            PrintStream console,
            boolean backups,
            boolean archive) {
        Map<String, String> settings =
                new HashMap<>(backups ? local.backupSettings() : local.settings());
        if (archive) {
            settings.putAll(local.archiveSettings());
        }
        settings.put("REGISTRY_AUTH", "none");
        if (registry != null) {
            settings.put("REGISTRY_URL", registry);
        }
        FileAlerts alerts = new FileAlerts(local.stateDir().resolve("alerts.jsonl"), console);
        Platform platform = new Platform(Settings.of(settings)).withAlerts(alerts);
        Wiring wiring = Wiring.of(platform);
        if (registry
                == null) { // REGISTRY_URL names the one given; else the local registry, started
            // when a function first reads it
            wiring =
                    wiring.withRegistry(
                            p ->
                                    new RegistryClient(
                                            local.registry().url(), RegistryAuth.anonymous()));
        }
        wiring =
                wiring.withRevocations(
                        q ->
                                local.signing()
                                        .revocations()
                                        .revoked(q)); // AWS Signer's list, locally
        wiring =
                wiring.withReplicationStatus(
                        new LocalReplication(local).status(local.destinations())); // ECR's, locally
        LocalAgent agent = null;
        if (backups) {
            agent = new LocalAgent(local.hostScripts(), console).withSites(local);
            wiring = wiring.withCommands(agent);
        }
        return new LocalServices(wiring, agent, alerts);
    }
}

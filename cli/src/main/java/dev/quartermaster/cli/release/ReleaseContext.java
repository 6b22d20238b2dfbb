package dev.quartermaster.cli.release;

import dev.quartermaster.app.Wiring;
import dev.quartermaster.backup.BackupRoot;
import dev.quartermaster.cli.console.Target;
import dev.quartermaster.cli.local.FunctionCatalog;
import dev.quartermaster.cli.local.LocalAgent;
import dev.quartermaster.cli.local.LocalEnvironment;
import dev.quartermaster.cli.local.LocalInvoke;
import dev.quartermaster.cli.local.LocalServices;
import dev.quartermaster.cli.local.LocalSite;
import dev.quartermaster.common.Platform;
import dev.quartermaster.common.Settings;
import dev.quartermaster.release.DatabaseReturn;
import dev.quartermaster.release.ReleaseConfig;
import dev.quartermaster.release.ReleaseRoll;
import dev.quartermaster.release.ReleaseRoot;
import dev.quartermaster.release.ReleaseService;
import software.amazon.awssdk.services.sts.StsClient;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;

/** The release machinery on the local site (podman) or the deployed stack, for one command. */
public final class ReleaseContext implements AutoCloseable {
    public final ReleaseService service;
    public final ReleaseFlow flow;
    public final Platform platform;

    /**
     * The database side of a rollback (the schema comparison, --with-database, --keep-database).
     */
    public final DatabaseRollback database;

    private final LocalEnvironment local;

    /** How many app hosts a roll switches at once unless --batch says (cdk.json releaseBatch). */
    public final int batch;

    /**
     * What a failed roll does about the database once every host is back: the schema-aware return
     * (restores the restore point when the release changed the schema), or nothing without backup
     * settings.
     */
    public DatabaseReturn databaseReturn;

    private ReleaseContext(
            ReleaseService service,
            ReleaseFlow flow,
            Platform platform,
            LocalEnvironment local,
            DatabaseRollback database,
            int batch) {
        this.service = service;
        this.flow = flow;
        this.platform = platform;
        this.local = local;
        this.database = database;
        this.batch = batch;
        this.databaseReturn = database == null ? DatabaseReturn.NONE : database.automatic();
    }

    /**
     * The database host's side of a rollback: the fingerprint and restore documents through the
     * same command runner as the release.
     */
    private static DatabaseRollback database(
            Platform p,
            dev.quartermaster.host.CommandRunner commands,
            ReleaseFlow.Completion completion,
            PrintStream out,
            java.time.Duration poll) {
        dev.quartermaster.backup.BackupConfig config;
        try {
            config = dev.quartermaster.backup.BackupConfig.from(p.settings());
        } catch (RuntimeException e) {
            return null; // no backup settings: a rollback says so (it cannot compare schemas)
        }
        return new DatabaseRollback(
                new dev.quartermaster.backup.HostDatabase(
                        config,
                        commands,
                        p.settings().getOrDefault("FINGERPRINT_DOCUMENT", ""),
                        p.settings().getOrDefault("RESTORE_DOCUMENT", ""),
                        poll),
                BackupRoot.service(p, commands),
                BackupRoot.store(p),
                config,
                ReleaseRoot.store(p),
                completion,
                out,
                java.time.Clock.systemUTC());
    }

    /** The rolling release over the app hosts, on this context's hosts and records. */
    public ReleaseRoll roll(PrintStream out) {
        return new ReleaseRoll(
                ReleaseRoot.rolls(platform),
                ReleaseRoot.store(platform),
                flow.hosts(),
                databaseReturn,
                java.time.Clock.systemUTC(),
                out::println);
    }

    private static int batch(String value) {
        try {
            return value == null ? 1 : Math.max(1, Integer.parseInt(value.trim()));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    public static ReleaseContext open(Target target, boolean restorePoint, PrintStream out) {
        if (target.aws) {
            Map<String, String> settings = target.awsSettings();
            if (!settings.containsKey("RELEASE_DOCUMENT")) {
                throw new IllegalStateException(
                        "the deployed stack has no release document: redeploy with this version "
                                + "(npx cdk deploy --outputs-file "
                                + Target.OUTPUTS
                                + ")");
            }
            Platform p = new Platform(Settings.of(settings));
            // the signature re-check runs here when the environment names the trusted roots
            // (SIGNING_TRUST_ROOTS, SIGNING_IDENTITIES,
            // SIGNING); otherwise the ledger's SIGNED counts while image-verify's hourly re-check
            // keeps it fresh
            dev.quartermaster.signature.SignatureService signatures = Wiring.of(p).signatures();
            ReleaseService service =
                    ReleaseRoot.operatorService(
                            p,
                            dev.quartermaster.host.HostRoot.ssmCommands(p),
                            signatures == null ? null : signatures::check);
            boolean rp = restorePoint && !"false".equals(settings.get("RELEASE_RESTORE_POINT"));
            ReleaseFlow flow =
                    new ReleaseFlow(
                            service,
                            ReleaseRoot.store(p),
                            rp ? BackupRoot.service(p) : null,
                            BackupRoot.store(p),
                            rp,
                            () -> {},
                            out,
                            false);
            return new ReleaseContext(
                    service,
                    flow,
                    p,
                    null,
                    database(
                            p,
                            dev.quartermaster.host.HostRoot.ssmCommands(p),
                            () -> {},
                            out,
                            java.time.Duration.ofSeconds(5)),
                    batch(settings.get("RELEASE_BATCH")));
        }
        LocalEnvironment local = target.local();
        try {
            ReleaseContext c = local(local, restorePoint, out);
            return new ReleaseContext(c.service, c.flow, c.platform, local, c.database, c.batch);
        } catch (RuntimeException e) {
            local.close();
            throw e;
        }
    }

    /**
     * On local backends: the local agent runs the documents with bash (release.sh with podman) and
     * the status functions hear of it.
     */
    public static ReleaseContext local(
            LocalEnvironment local, boolean restorePoint, PrintStream out) {
        LocalServices ls = LocalServices.create(local, null, null, true);
        local.ensureDatabase(out);
        Map<String, String> settings = new HashMap<>(local.backupSettings());
        settings.putAll(local.releaseSettings());
        settings.put("REGISTRY_AUTH", "none");
        Platform p = new Platform(Settings.of(settings)).withAlerts(ls.alerts);
        // the release hooks, as the stack fixes them in the release document (cdk.json and -c,
        // checked by the same option parser)
        Map<String, String> hooks = local.configuration().release().hooks().environment();
        LocalAgent agent =
                ls.agent
                        // each app host's own site, by the command's target, with the hooks
                        .withSites(
                                local.hosts().hosts(),
                                host -> {
                                    Map<String, String> env =
                                            new HashMap<>(local.site(host).scriptEnv());
                                    env.putAll(hooks);
                                    return env;
                                })
                        .onStep(line -> out.println(ReleaseFlow.step(line)));
        Wiring wiring = Wiring.of(p).withCommands(agent);
        dev.quartermaster.signature.SignatureService signatures = ls.wiring.signatures();
        ReleaseService service =
                ReleaseRoot.operatorService(
                        p, agent, signatures == null ? null : signatures::check);
        ReleaseFlow.Completion completion =
                () -> {
                    for (LocalAgent.Finished f : agent.drain()) {
                        String status =
                                (f.document().equals(LocalAgent.RELEASE_DOCUMENT)
                                                || f.document().equals(LocalAgent.CHECK_DOCUMENT))
                                        ? "release-status"
                                        : "backup-status";
                        try {
                            LocalInvoke.call(
                                    FunctionCatalog.create(status, wiring),
                                    status,
                                    LocalAgent.statusEvent(f)
                                            .getBytes(java.nio.charset.StandardCharsets.UTF_8),
                                    new PrintStream(java.io.OutputStream.nullOutputStream()));
                        } catch (Exception e) {
                            throw new IllegalStateException(
                                    status + " failed: " + e.getMessage(), e);
                        }
                    }
                };
        ReleaseFlow flow =
                new ReleaseFlow(
                        service,
                        ReleaseRoot.store(p),
                        BackupRoot.service(p, agent),
                        BackupRoot.store(p),
                        restorePoint,
                        completion,
                        out,
                        true);
        return new ReleaseContext(
                service,
                flow,
                p,
                null,
                database(p, agent, completion, out, java.time.Duration.ofMillis(200)),
                local.configuration().release().batch());
    }

    /**
     * The local release history and marks, for commands that read them (status, lifecycle preview):
     * no host to send to.
     */
    public static ReleaseService reader(LocalEnvironment local, Platform p) {
        Map<String, String> settings = new HashMap<>(local.releaseSettings());
        return new ReleaseService(
                ReleaseConfig.from(Settings.of(settings)),
                ReleaseRoot.store(p),
                dev.quartermaster.ledger.LedgerRoot.store(p),
                null,
                ReleaseRoot.protection(new Platform(Settings.of(settings))),
                p.alerts(),
                java.time.Clock.systemUTC());
    }

    /**
     * Locally, before the first release: an app host's site does not exist yet; start each missing
     * one on the digest being released (as a host is set up before its first release).
     */
    public void ensureLocalSite(String reference, String reason, String host, PrintStream out)
            throws InterruptedException {
        if (local == null || local.sites().stream().allMatch(LocalSite::exists)) {
            return;
        }
        String planned = host != null ? host : local.hosts().apps().get(0).name();
        String digest = service.plan(reference, reason, planned).digest();
        local.startMissingSites(digest, out);
    }

    @Override
    public void close() {
        if (local != null) {
            local.close();
        }
    }

    /**
     * Who asks, as recorded with the release: in AWS the caller's identity (sts:GetCallerIdentity,
     * which needs no permission), locally the user's name. An identity that cannot be established
     * refuses the release.
     */
    public static String who(Target target, Platform platform) {
        if (!target.aws) {
            return System.getProperty("user.name", "unknown");
        }
        try (StsClient sts = platform.clients().configure(StsClient.builder(), "STS").build()) {
            return sts.getCallerIdentity().arn();
        } catch (RuntimeException e) {
            throw new ReleaseService.Refused(
                    "who is asking could not be established (sts:GetCallerIdentity: "
                            + dev.quartermaster.common.Text.oneLine(
                                    String.valueOf(e.getMessage()), 200)
                            + "); nothing was sent");
        }
    }
}

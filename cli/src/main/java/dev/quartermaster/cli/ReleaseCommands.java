package dev.quartermaster.cli;

import dev.quartermaster.app.Wiring;
import dev.quartermaster.backup.BackupRoot;
import dev.quartermaster.common.Platform;
import software.amazon.awssdk.services.sts.StsClient;
import dev.quartermaster.common.Settings;
import dev.quartermaster.events.EventParser;
import dev.quartermaster.release.ReleaseConfig;
import dev.quartermaster.release.ReleaseRecord;
import dev.quartermaster.release.ReleaseRoot;
import dev.quartermaster.release.ReleaseService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** bin/qm release, rollback and releases. */
final class ReleaseCommands {
    private ReleaseCommands() {
    }

    /** Exit codes: 0 released, 3 rolled back, 4 rollback failed or unknown, 5 refused (gate or busy host), 6 failed with nothing changed. */
    static int exitCode(ReleaseRecord r) {
        return switch (r.status()) {
            case RELEASED -> 0;
            case ROLLED_BACK -> 3;
            case REFUSED -> 5;
            case FAILED -> 6;
            default -> 4;
        };
    }

    /** The release machinery on the local site (podman) or the deployed stack, for one command. */
    static final class Context implements AutoCloseable {
        final ReleaseService service;
        final ReleaseFlow flow;
        final Platform platform;
        private final LocalEnvironment local;

        private Context(ReleaseService service, ReleaseFlow flow, Platform platform, LocalEnvironment local) {
            this.service = service;
            this.flow = flow;
            this.platform = platform;
            this.local = local;
        }

        static Context open(Target target, boolean restorePoint, PrintStream out) {
            if (target.aws) {
                Map<String, String> settings = target.awsSettings();
                if (!settings.containsKey("RELEASE_DOCUMENT")) {
                    throw new IllegalStateException("the deployed stack has no release document: redeploy with this version "
                            + "(npx cdk deploy --outputs-file " + Target.OUTPUTS + ")");
                }
                Platform p = new Platform(Settings.of(settings));
                ReleaseService service = ReleaseRoot.service(p);
                boolean rp = restorePoint && !"false".equals(settings.get("RELEASE_RESTORE_POINT"));
                ReleaseFlow flow = new ReleaseFlow(service, ReleaseRoot.store(p), rp ? BackupRoot.service(p) : null, BackupRoot.store(p), rp,
                        () -> { }, out, false);
                return new Context(service, flow, p, null);
            }
            LocalEnvironment local = LocalEnvironment.persistent();
            try {
                Context c = local(local, restorePoint, out);
                return new Context(c.service, c.flow, c.platform, local);
            } catch (RuntimeException e) {
                local.close();
                throw e;
            }
        }

        /** On local backends: the local agent runs the documents with bash (release.sh with podman) and the status functions hear of it. */
        static Context local(LocalEnvironment local, boolean restorePoint, PrintStream out) {
            LocalServices ls = LocalServices.create(local, null, null, true);
            local.ensureDatabase(out);
            Map<String, String> settings = new HashMap<>(local.backupSettings());
            settings.putAll(local.releaseSettings());
            settings.put("REGISTRY_AUTH", "none");
            Platform p = new Platform(Settings.of(settings)).withAlerts(ls.alerts);
            LocalAgent agent = ls.agent.withSite(local.site().scriptEnv()).onStep(line -> out.println(ReleaseFlow.step(line)));
            Wiring wiring = Wiring.of(p).withCommands(agent);
            ReleaseService service = ReleaseRoot.service(p, agent);
            ReleaseFlow.Completion completion = () -> {
                for (LocalAgent.Finished f : agent.drain()) {
                    String status = (f.document().equals(LocalAgent.RELEASE_DOCUMENT) || f.document().equals(LocalAgent.CHECK_DOCUMENT))
                            ? "release-status" : "backup-status";
                    try {
                        InvokeCommand.call(FunctionCatalog.create(status, wiring), status,
                                LocalAgent.statusEvent(f).getBytes(java.nio.charset.StandardCharsets.UTF_8),
                                new PrintStream(java.io.OutputStream.nullOutputStream()));
                    } catch (Exception e) {
                        throw new IllegalStateException(status + " failed: " + e.getMessage(), e);
                    }
                }
            };
            ReleaseFlow flow = new ReleaseFlow(service, ReleaseRoot.store(p), BackupRoot.service(p, agent), BackupRoot.store(p), restorePoint,
                    completion, out, true);
            return new Context(service, flow, p, null);
        }

        /** Locally, before the first release: the site does not exist yet; start it on the digest being released. */
        void ensureLocalSite(String reference, String reason, String host, PrintStream out) throws InterruptedException {
            if (local == null || local.site().exists()) {
                return;
            }
            String digest = service.plan(reference, reason, host).digest();
            local.site().start(digest);
            out.println("the local site did not exist: started it (podman-compose, " + local.site().healthUrl() + ") on " + digest.substring(0, 19)
                    + ", serving " + local.site().awaitServed("-", java.time.Duration.ofSeconds(10)));
        }

        @Override
        public void close() {
            if (local != null) {
                local.close();
            }
        }
    }

    /**
     * Who asks, as recorded with the release: in AWS the caller's identity (sts:GetCallerIdentity, which needs no
     * permission), locally the user's name. An identity that cannot be established refuses the release.
     */
    static String who(Target target, Platform platform) {
        if (!target.aws) {
            return System.getProperty("user.name", "unknown");
        }
        try (StsClient sts = platform.clients().configure(StsClient.builder(), "STS").build()) {
            return sts.getCallerIdentity().arn();
        } catch (RuntimeException e) {
            throw new ReleaseService.Refused("who is asking could not be established (sts:GetCallerIdentity: "
                    + dev.quartermaster.common.Text.oneLine(String.valueOf(e.getMessage()), 200) + "); nothing was sent");
        }
    }

    @Command(name = "release", description = "Put a VERIFIED digest on the host: restore point, pull by digest, switch, prove (digest, health, "
            + "version inside), roll back by itself on failure. Exit: 0 released, 3 rolled back, 4 rollback failed, 5 refused, 6 failed (nothing changed).")
    static final class Release implements Callable<Integer> {
        @Mixin
        Target target = new Target();

        @Parameters(index = "0", description = "REPO:TAG or REPO@sha256:<hex>")
        String reference;

        @Option(names = "--force", description = "release even if the ledger's verdict is not VERIFIED (needs --reason; recorded)")
        boolean force;

        @Option(names = "--reason", description = "why the override (recorded with the release)")
        String reason;

        @Option(names = "--no-restore-point", description = "skip the database backup taken before the switch")
        boolean noRestorePoint;

        @Option(names = "--host", description = "the app host to release to (default: the only one; required when there are several)")
        String host;

        @Override
        public Integer call() {
            if (force && (reason == null || reason.isBlank())) {
                System.err.println("qm release: --force needs --reason TEXT (the override is recorded with the release)");
                return 2;
            }
            try (Context c = Context.open(target, !noRestorePoint, System.out)) {
                c.ensureLocalSite(reference, force ? reason : null, host, System.out);
                return exitCode(c.flow.release(reference, force ? reason : null, ReleaseRecord.Kind.RELEASE, who(target, c.platform), host));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            } catch (ReleaseService.Refused e) {
                System.err.println("qm release: " + e.getMessage());
                return 5;
            }
        }
    }

    @Command(name = "rollback", description = "Release the previous good digest through the same path (or --to DIGEST).")
    static final class Rollback implements Callable<Integer> {
        @Mixin
        Target target = new Target();

        @Parameters(index = "0", arity = "0..1", description = "app (default: the stack's release repository)")
        String app;

        @Option(names = "--to", description = "sha256:<hex> to return to (default: the release before the current one)")
        String to;

        @Option(names = "--no-restore-point", description = "skip the database backup taken before the switch")
        boolean noRestorePoint;

        @Option(names = "--force", description = "return even to a digest the ledger says was deleted from the registry (the host's own copy; "
                + "needs --reason; recorded)")
        boolean force;

        @Option(names = "--reason", description = "why the override (recorded with the rollback)")
        String reason;

        @Option(names = "--host", description = "the app host to roll back (default: the only one; required when there are several)")
        String host;

        @Override
        public Integer call() {
            if (force && (reason == null || reason.isBlank())) {
                System.err.println("qm rollback: --force needs --reason TEXT (the override is recorded with the rollback)");
                return 2;
            }
            try (Context c = Context.open(target, !noRestorePoint, System.out)) {
                String repo = c.service.config().repository();
                if (app != null && !app.equals(c.service.config().app())) {
                    System.err.println("qm rollback: this stack releases " + c.service.config().app() + ", not " + app);
                    return 2;
                }
                String digest = to != null ? to : c.service.previousGood(host).map(ReleaseRecord::running).orElse(null);
                if (digest == null) {
                    System.err.println("qm rollback: no earlier good release to return to (bin/qm releases); name one with --to sha256:…");
                    return 5;
                }
                return exitCode(c.flow.release(repo + "@" + digest, force ? reason : null, ReleaseRecord.Kind.ROLLBACK, who(target, c.platform), host));
            } catch (ReleaseService.Refused e) {
                System.err.println("qm rollback: " + e.getMessage());
                return 5;
            }
        }
    }

    @Command(name = "releases", description = "Release history: from -> to digest, tag, who, when, result, restore point, override reason.")
    static final class History implements Callable<Integer> {
        @Mixin
        Target target = new Target();

        @Parameters(index = "0", arity = "0..1", description = "app (default: the stack's release repository)")
        String app;

        @Option(names = "--checks", description = "include the hourly drift checks")
        boolean checks;

        @Option(names = "--host", description = "the app host (default: the only one; required when there are several)")
        String host;

        @Override
        public Integer call() throws Exception {
            boolean json = target.json();
            List<ReleaseRecord> records;
            if (target.aws) {
                Platform p = target.awsPlatform();
                ReleaseConfig config = ReleaseConfig.from(p.settings());
                records = ReleaseRoot.store(p).list(app != null ? app : config.app(), config.host(host).name());
            } else {
                try (LocalEnvironment local = LocalEnvironment.persistent()) {
                    Platform p = LocalServices.platform(local, System.err);
                    ReleaseConfig config = ReleaseConfig.from(Settings.of(local.releaseSettings()));
                    records = ReleaseRoot.store(p).list(app != null ? app : config.app(), config.host(host).name());
                }
            }
            records = records.stream().filter(r -> checks || r.kind() != ReleaseRecord.Kind.CHECK).toList();
            if (json) {
                System.out.println(EventParser.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(records));
                return 0;
            }
            if (records.isEmpty()) {
                System.out.println("no releases recorded");
                return 0;
            }
            TextTable t = new TextTable("REQUESTED", "KIND", "RESULT", "TAG", "FROM", "TO", "RUNNING", "VERSION", "BY", "RESTORE POINT", "REASON");
            records.forEach(r -> t.row(r.requestedAt(), r.kind(), r.status(), r.tag() == null ? "-" : r.tag(), TextTable.shortDigest(r.fromDigest()),
                    TextTable.shortDigest(r.toDigest()), TextTable.shortDigest(r.running()), r.runningVersion(), r.requestedBy(),
                    r.restorePoint() == null ? "-" : r.restorePoint(),
                    (r.overrideReason() == null ? "" : "FORCED: " + r.overrideReason() + "; ") + (r.reason() == null ? "" : r.reason())));
            t.print(System.out, "");
            return 0;
        }
    }
}

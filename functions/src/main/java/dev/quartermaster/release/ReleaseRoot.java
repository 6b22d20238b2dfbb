package dev.quartermaster.release;

import dev.quartermaster.common.Platform;
import dev.quartermaster.common.Settings;
import dev.quartermaster.contract.Setting;
import dev.quartermaster.host.CommandRunner;
import dev.quartermaster.host.HostRoot;
import dev.quartermaster.ledger.LedgerRoot;
import dev.quartermaster.registry.EcrImageTags;
import dev.quartermaster.registry.ImageTags;
import dev.quartermaster.registry.OciImageTags;
import dev.quartermaster.registry.RegistryAuth;
import dev.quartermaster.registry.RegistryClient;
import dev.quartermaster.registry.RegistryRoot;
import dev.quartermaster.registry.RegistryWriter;

import java.time.Clock;
import java.time.Duration;

/**
 * The release feature's composition root: what release-status, release-drift and bin/qm release are
 * built from.
 */
public final class ReleaseRoot {
    private ReleaseRoot() {}

    public static ReleaseService service(Platform p) {
        return service(p, HostRoot.commands(p));
    }

    /** With another command runner (bin/qm's local agent, a test's recording fake). */
    public static ReleaseService service(Platform p, CommandRunner commands) {
        return new ReleaseService(
                ReleaseConfig.from(p.settings()),
                store(p),
                LedgerRoot.store(p),
                commands,
                protection(p),
                p.alerts(),
                Clock.systemUTC());
    }

    /**
     * The release switch as the operator runs it: releases of the repositories SIGNATURE_REQUIRED
     * names need a SIGNED verdict.
     */
    public static ReleaseService operatorService(Platform p, CommandRunner commands) {
        return operatorService(p, commands, null);
    }

    /**
     * How long the release gate's signature re-check may take, waits for the registry's signing
     * included.
     */
    public static final Duration SIGNATURE_RECHECK_BOUND = Duration.ofSeconds(60);

    /**
     * @param signatures the release gate's signature re-check (null: the ledger's verdict, while
     *     fresh)
     */
    public static ReleaseService operatorService(
            Platform p, CommandRunner commands, SignatureRecheck signatures) {
        return new ReleaseService(
                ReleaseConfig.from(p.settings())
                        .withVerifyRules(p.settings())
                        .requiringSignatures(
                                dev.quartermaster.signature.SignatureSettings.required(
                                        p.settings())),
                store(p),
                LedgerRoot.store(p),
                commands,
                protection(p),
                p.alerts(),
                Clock.systemUTC(),
                signatures,
                SIGNATURE_RECHECK_BOUND);
    }

    /**
     * The marks on released digests: ECR's API in AWS (REGISTRY_AUTH=ecr), the distribution API at
     * REGISTRY_URL (none: a local registry).
     */
    public static ReleaseProtection protection(Platform p) {
        Settings s = p.settings();
        ImageTags tags =
                switch (s.get(Setting.REGISTRY_AUTH)) {
                    case "ecr" -> new EcrImageTags(Platform.memo(() -> RegistryRoot.ecr(p)));
                    case "none" ->
                            new OciImageTags(
                                    new RegistryClient(
                                            s.get(Setting.REGISTRY_URL), RegistryAuth.anonymous()),
                                    new RegistryWriter(
                                            s.get(Setting.REGISTRY_URL), RegistryAuth.anonymous()));
                    default ->
                            throw new IllegalStateException(
                                    "REGISTRY_AUTH='"
                                            + s.get(Setting.REGISTRY_AUTH)
                                            + "' must be ecr or none");
                };
        return new ReleaseProtection(
                tags, Duration.ofDays(s.getInt(Setting.PROTECT_GRACE_DAYS)), Clock.systemUTC());
    }

    public static ReleaseStore store(Platform p) {
        return new DynamoDbReleaseStore(p.dynamoDb(), p.table());
    }

    /** The release lock and the rolls, in the same table as the releases. */
    public static RollStore rolls(Platform p) {
        return new DynamoDbReleaseStore(p.dynamoDb(), p.table());
    }
}

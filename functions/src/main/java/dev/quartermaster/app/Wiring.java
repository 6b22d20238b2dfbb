package dev.quartermaster.app;

import dev.quartermaster.backup.BackupRoot;
import dev.quartermaster.common.Platform;
import dev.quartermaster.host.CommandRunner;
import dev.quartermaster.host.HostRoot;
import dev.quartermaster.registry.RegistryClient;
import dev.quartermaster.registry.RegistryRoot;

import java.util.function.Function;

/**
 * How to build the functions outside Lambda: the shared platform, and the two ports that have no local
 * AWS twin and that bin/qm and the tests replace: the registry (a local one) and the command runner
 * (the local agent, a recording fake). By default both come from the settings, as in Lambda.
 */
public record Wiring(Platform platform, Function<Platform, RegistryClient> registry, Function<Platform, CommandRunner> commands,
                     Function<Platform, dev.quartermaster.signature.RevocationCheck> revocations,
                     Function<Platform, dev.quartermaster.replication.ReplicationStatus> replicationStatus) {

    public static Wiring of(Platform platform) {
        return new Wiring(platform, RegistryRoot::registry, HostRoot::ssmCommands, dev.quartermaster.signature.SignatureRoot::signer,
                p -> new dev.quartermaster.replication.EcrReplicationStatus(RegistryRoot.ecr(p)));
    }

    /** Where late replicas are checked (ECR's DescribeImageReplicationStatus by default; the destination registries locally). */
    public Wiring withReplicationStatus(dev.quartermaster.replication.ReplicationStatus status) {
        return new Wiring(platform, registry, commands, revocations, p -> status);
    }

    /** @param registry built when a verify function is built (so the local registry starts only then) */
    public Wiring withRegistry(Function<Platform, RegistryClient> registry) {
        return new Wiring(platform, registry, commands, revocations, replicationStatus);
    }

    public Wiring withCommands(CommandRunner runner) {
        return new Wiring(platform, registry, p -> runner, revocations, replicationStatus);
    }

    /**
     * Every check of a digest's signatures with this wiring's registry and revocation list (the release gate's re-check and
     * bin/qm verify); null when the settings name no trusted root or no trusted identity: a check then could only find every
     * signature untrusted and would record good digests INVALID (an operator's environment missing SIGNING_IDENTITIES), so
     * the caller falls back to the recorded verdict or refuses instead.
     */
    public dev.quartermaster.signature.SignatureService signatures() {
        var s = platform.settings();
        boolean roots = !s.get(dev.quartermaster.contract.Setting.SIGNING_TRUST_ROOTS).isBlank()
                || !s.get(dev.quartermaster.contract.Setting.SIGNING_X509_TRUST_ROOTS).isBlank();
        String identities = s.get(dev.quartermaster.contract.Setting.SIGNING_IDENTITIES).replaceAll("\\s", "");
        if (!dev.quartermaster.signature.SignatureRoot.enabled(s) || !roots || identities.isEmpty() || identities.equals("[]")) {
            return null;
        }
        return dev.quartermaster.signature.SignatureRoot.service(dev.quartermaster.signature.SignatureRoot.policy(platform.settings()),
                registry.apply(platform), revocations.apply(platform), dev.quartermaster.signature.SignatureRoot.signingStatus(platform));
    }

    /** The signature gate's revocation list (AWS Signer's by default; bin/qm's local stand-in outside AWS). */
    public Wiring withRevocations(dev.quartermaster.signature.RevocationCheck check) {
        return new Wiring(platform, registry, commands, p -> check, replicationStatus);
    }
}

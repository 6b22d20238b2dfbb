package dev.quartermaster.app;

import dev.quartermaster.common.Platform;
import dev.quartermaster.host.CommandRunner;
import dev.quartermaster.registry.RegistryClient;
import dev.quartermaster.registry.RegistryRoot;
import dev.quartermaster.replication.ReplicationStatus;
import dev.quartermaster.signature.RevocationCheck;
import dev.quartermaster.signature.SignatureRoot;

import java.util.function.Function;

/**
 * How to build the functions outside Lambda: the shared platform, with the ports that have no local
 * AWS twin replaced where bin/qm and the tests need it: the registry (a local one), the command
 * runner (the local agent, a recording fake), the revocation list and the replication status. By
 * default each comes from the settings, as in Lambda (their roots: {@code RegistryRoot}, {@code
 * HostRoot}, {@code SignatureRoot}, {@code ReplicationRoot}).
 */
public record Wiring(Platform platform) {

    public static Wiring of(Platform platform) {
        return new Wiring(platform);
    }

    /**
     * Where late replicas are checked (ECR's DescribeImageReplicationStatus by default; the
     * destination registries locally).
     */
    public Wiring withReplicationStatus(ReplicationStatus status) {
        return new Wiring(platform.with(ReplicationStatus.class, p -> status));
    }

    /**
     * @param registry built when a function that reads the registry is built (so the local registry
     *     starts only then)
     */
    public Wiring withRegistry(Function<Platform, RegistryClient> registry) {
        return new Wiring(platform.with(RegistryClient.class, registry));
    }

    public Wiring withCommands(CommandRunner runner) {
        return new Wiring(platform.with(CommandRunner.class, p -> runner));
    }

    /**
     * The signature gate's revocation list (AWS Signer's by default; bin/qm's local stand-in
     * outside AWS).
     */
    public Wiring withRevocations(RevocationCheck check) {
        return new Wiring(platform.with(RevocationCheck.class, p -> check));
    }

    /**
     * Every check of a digest's signatures with this wiring's registry and revocation list (the
     * release gate's re-check and bin/qm verify); null when the settings name no trusted root or no
     * trusted identity: a check then could only find every signature untrusted and would record
     * good digests INVALID (an operator's environment missing SIGNING_IDENTITIES), so the caller
     * falls back to the recorded verdict or refuses instead.
     */
    public dev.quartermaster.signature.SignatureService signatures() {
        var s = platform.settings();
        boolean roots =
                !s.get(dev.quartermaster.contract.Setting.SIGNING_TRUST_ROOTS).isBlank()
                        || !s.get(dev.quartermaster.contract.Setting.SIGNING_X509_TRUST_ROOTS)
                                .isBlank();
        String identities =
                s.get(dev.quartermaster.contract.Setting.SIGNING_IDENTITIES).replaceAll("\\s", "");
        if (!SignatureRoot.enabled(s)
                || !roots
                || identities.isEmpty()
                || identities.equals("[]")) {
            return null;
        }
        return SignatureRoot.service(
                SignatureRoot.policy(platform.settings()),
                RegistryRoot.registry(platform),
                SignatureRoot.revocations(platform),
                SignatureRoot.signingStatus(platform));
    }
}

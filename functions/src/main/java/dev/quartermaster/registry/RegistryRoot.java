package dev.quartermaster.registry;

import dev.quartermaster.common.Platform;
import dev.quartermaster.common.Settings;
import dev.quartermaster.contract.Setting;

import java.time.Clock;

/**
 * The registry's composition root: the OCI client the image features read with (verify, archive),
 * ECR's credentials for it, and ECR's API client. Not in the host functions' jar (no ECR there).
 */
public final class RegistryRoot {
    private RegistryRoot() {}

    /** An ECR client (the image functions' and the archive's). */
    public static software.amazon.awssdk.services.ecr.EcrClient ecr(Platform p) {
        return p.clients()
                .configure(software.amazon.awssdk.services.ecr.EcrClient.builder(), "ECR")
                .build();
    }

    /**
     * ECR's Basic auth from GetAuthorizationToken, the client built on first use, the token renewed
     * before it expires.
     */
    public static RegistryAuth ecrAuth(Platform p) {
        var ecr = Platform.memo(() -> ecr(p));
        return new EcrAuth(
                () -> {
                    var data = ecr.get().getAuthorizationToken().authorizationData().get(0);
                    return new EcrAuth.Token(data.authorizationToken(), data.expiresAt());
                },
                Clock.systemUTC());
    }

    /**
     * ECR's Basic auth for the registry of another region (a replication destination's), as {@link
     * #ecrAuth(Platform)}.
     */
    public static RegistryAuth ecrAuth(Platform p, String region) {
        var ecr =
                Platform.memo(
                        () ->
                                p.clients()
                                        .configure(
                                                software.amazon.awssdk.services.ecr.EcrClient
                                                        .builder(),
                                                "ECR")
                                        .region(software.amazon.awssdk.regions.Region.of(region))
                                        .build());
        return new EcrAuth(
                () -> {
                    var data = ecr.get().getAuthorizationToken().authorizationData().get(0);
                    return new EcrAuth.Token(data.authorizationToken(), data.expiresAt());
                },
                Clock.systemUTC());
    }

    /**
     * The platform's registry client: {@link #fromSettings}'s, unless the platform replaces it
     * (bin/qm's local registry).
     */
    public static RegistryClient registry(Platform p) {
        return p.shared(RegistryClient.class, RegistryRoot::fromSettings);
    }

    /**
     * The registry client from REGISTRY_URL and REGISTRY_AUTH (ecr: a token from
     * GetAuthorizationToken, renewed before it expires).
     */
    private static RegistryClient fromSettings(Platform p) {
        Settings s = p.settings();
        String url = s.get(Setting.REGISTRY_URL);
        String mode = s.get(Setting.REGISTRY_AUTH);
        RegistryAuth auth =
                switch (mode) {
                    case "ecr" -> ecrAuth(p);
                    case "none" -> RegistryAuth.anonymous();
                    default ->
                            throw new IllegalStateException(
                                    "REGISTRY_AUTH='" + mode + "' must be ecr or none");
                };
        RegistryClient client = new RegistryClient(url, auth);
        // without credentials: the snapshot must not hold an ECR token (it is fetched after the
        // restore, once)
        dev.quartermaster.common.Priming.reach("registry", client::ping);
        return client;
    }
}

package dev.quartermaster.release;

import dev.quartermaster.common.Settings;
import dev.quartermaster.contract.Host;
import dev.quartermaster.contract.Setting;

import java.util.List;

/**
 * The one app this stack releases: its ECR repository (ledger lookups), the image URI the host pulls
 * from ({@code <account>.dkr.ecr.<region>.amazonaws.com/<repository>}), the release and check documents,
 * and the hosts that run it.
 */
public record ReleaseConfig(String app, String repository, String imageRepo, String releaseDocument, String checkDocument,
                            List<Host> hosts, dev.quartermaster.signature.TrustPolicy signatures) {

    public ReleaseConfig(String app, String repository, String imageRepo, String releaseDocument, String checkDocument, List<Host> hosts) {
        this(app, repository, imageRepo, releaseDocument, checkDocument, hosts, dev.quartermaster.signature.TrustPolicy.none());
    }

    public ReleaseConfig {
        hosts = Host.apps(hosts);
        if (hosts.isEmpty()) {
            throw new IllegalStateException("no host has the role app: the release switch has nowhere to release to");
        }
    }

    public static ReleaseConfig from(Settings s) {
        String repository = s.get(Setting.RELEASE_REPOSITORY);
        return new ReleaseConfig(repository, repository, s.get(Setting.RELEASE_IMAGE_URI), s.get(Setting.RELEASE_DOCUMENT),
                s.get(Setting.RELEASE_CHECK_DOCUMENT), Host.parseList(s.get(Setting.HOSTS)));
    }

    /**
     * This configuration, with releases of the repositories matching {@code patterns} needing a SIGNED verdict (the
     * release switch plans releases on the operator's side; the functions that only follow them never read this).
     */
    public ReleaseConfig requiringSignatures(List<String> patterns) {
        return new ReleaseConfig(app, repository, imageRepo, releaseDocument, checkDocument, hosts,
                new dev.quartermaster.signature.TrustPolicy(List.of(), List.of(), patterns, true));
    }

    /** The app host named (or the only one when none is). */
    public Host host(String name) {
        return Host.app(hosts, name);
    }
}

package dev.quartermaster.release;

import dev.quartermaster.common.Settings;
import dev.quartermaster.contract.Host;
import dev.quartermaster.contract.RuleFormat;
import dev.quartermaster.contract.Setting;

import java.util.List;

/**
 * The one app this stack releases: its ECR repository (ledger lookups), the image URI the host
 * pulls from ({@code <account>.dkr.ecr.<region>.amazonaws.com/<repository>}), the release and check
 * documents, the hosts that run it, whose signatures its releases need, and the version rules (what
 * each tag promises: a release by tag checks the version found inside against that tag's promise).
 */
public record ReleaseConfig(
        String app,
        String repository,
        String imageRepo,
        String releaseDocument,
        String checkDocument,
        List<Host> hosts,
        dev.quartermaster.signature.TrustPolicy signatures,
        List<RuleFormat.Rule> rules) {

    public ReleaseConfig(
            String app,
            String repository,
            String imageRepo,
            String releaseDocument,
            String checkDocument,
            List<Host> hosts) {
        this(
                app,
                repository,
                imageRepo,
                releaseDocument,
                checkDocument,
                hosts,
                dev.quartermaster.signature.TrustPolicy.none());
    }

    /** With the version rules that ship with the product. */
    public ReleaseConfig(
            String app,
            String repository,
            String imageRepo,
            String releaseDocument,
            String checkDocument,
            List<Host> hosts,
            dev.quartermaster.signature.TrustPolicy signatures) {
        this(
                app,
                repository,
                imageRepo,
                releaseDocument,
                checkDocument,
                hosts,
                signatures,
                defaultRules());
    }

    public ReleaseConfig {
        rules = List.copyOf(rules);
        hosts = Host.apps(hosts);
        if (hosts.isEmpty()) {
            throw new IllegalStateException(
                    "no host has the role app: the release switch has nowhere to release to");
        }
    }

    public static ReleaseConfig from(Settings s) {
        String repository = s.get(Setting.RELEASE_REPOSITORY);
        return new ReleaseConfig(
                repository,
                repository,
                s.get(Setting.RELEASE_IMAGE_URI),
                s.get(Setting.RELEASE_DOCUMENT),
                s.get(Setting.RELEASE_CHECK_DOCUMENT),
                Host.parseList(s.get(Setting.HOSTS)));
    }

    /**
     * This configuration with the version rules VERIFY_RULES holds (empty: the product's), as
     * image-verify reads them: the release switch plans on the operator's side and checks a tag's
     * promise; the functions that follow releases never do.
     */
    public ReleaseConfig withVerifyRules(Settings s) {
        String json = s.get(Setting.VERIFY_RULES);
        return new ReleaseConfig(
                app,
                repository,
                imageRepo,
                releaseDocument,
                checkDocument,
                hosts,
                signatures,
                json.isBlank() ? defaultRules() : rules(json));
    }

    /**
     * The version rules that ship with the product (the ones image-verify uses when VERIFY_RULES is
     * empty).
     */
    static List<RuleFormat.Rule> defaultRules() {
        try (java.io.InputStream in =
                ReleaseConfig.class.getResourceAsStream("/default-verify-rules.json")) {
            if (in == null) {
                throw new IllegalStateException(
                        "default-verify-rules.json is missing from the classpath: rebuild the functions module");
            }
            return RuleFormat.parse(
                    new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<RuleFormat.Rule> rules(String json) {
        try {
            return RuleFormat.parse(json);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("VERIFY_RULES " + e.getMessage(), e);
        }
    }

    /**
     * This configuration, with releases of the repositories matching {@code patterns} needing a
     * SIGNED verdict (the release switch plans releases on the operator's side; the functions that
     * only follow them never read this).
     */
    public ReleaseConfig requiringSignatures(List<String> patterns) {
        return new ReleaseConfig(
                app,
                repository,
                imageRepo,
                releaseDocument,
                checkDocument,
                hosts,
                new dev.quartermaster.signature.TrustPolicy(List.of(), List.of(), patterns, true),
                rules);
    }

    /** The app host named (or the only one when none is). */
    public Host host(String name) {
        return Host.app(hosts, name);
    }
}

package dev.quartermaster.infra;

import dev.quartermaster.contract.Catalog;
import dev.quartermaster.contract.Setting;
import dev.quartermaster.contract.options.Options;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.services.ecr.Repository;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.Rule;
import software.constructs.Construct;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The image side: every push and delete to the ledger (image-action), every successful tagged push
 * checked against its tag (image-verify, a second target of the same events, so the ledger record
 * never waits on verification), every completed scan through the gate (image-scan).
 */
public final class ImageChecks extends Construct {
    /**
     * What the image functions are told; {@code repositories} are the managed ECR repositories
     * (pull is granted on them only).
     */
    public record Props(
            List<Repository> repositories,
            List<String> repositoryNames,
            String verifyRules,
            int scanMaxCritical,
            int scanMaxHigh,
            FunctionFactory functions,
            Signing signing,
            boolean enhancedScanning,
            String releaseRepository,
            String hostsJson) {
        public Props {
            if (repositories.isEmpty()) {
                throw new IllegalArgumentException(
                        "ImageChecks needs at least one repository (-c repositories=wordpress)");
            }
            repositories = List.copyOf(repositories);
            repositoryNames = List.copyOf(repositoryNames);
        }

        public static Builder builder() {
            return new Builder();
        }

        public static final class Builder {
            private List<Repository> repositories = List.of();
            private List<String> repositoryNames = List.of();
            private String verifyRules = Options.VERIFY_RULES.defaultValue();
            private int scanMaxCritical;
            private int scanMaxHigh = -1;
            private FunctionFactory functions;
            private Signing signing = Signing.off();
            private boolean enhancedScanning;
            private String releaseRepository = "wordpress";
            private String hostsJson = Setting.HOSTS.defaultValue();

            /** Amazon Inspector's scan and finding events go to image-scan too. */
            public Builder enhancedScanning(boolean v) {
                this.enhancedScanning = v;
                return this;
            }

            /**
             * The app's repository and hosts: image-scan alerts when a new finding lands on what
             * they run.
             */
            public Builder release(String repository, String hosts) {
                this.releaseRepository = repository;
                this.hostsJson = hosts;
                return this;
            }

            public Builder signing(Signing v) {
                this.signing = v;
                return this;
            }

            public Builder repositories(List<Repository> v, List<String> names) {
                this.repositories = v;
                this.repositoryNames = names;
                return this;
            }

            /** Default: the WordPress rule that ships with the product. */
            public Builder verifyRules(String v) {
                this.verifyRules = v;
                return this;
            }

            /** Defaults: 0 critical findings allowed, high findings unlimited (-1). */
            public Builder scanLimits(int maxCritical, int maxHigh) {
                this.scanMaxCritical = maxCritical;
                this.scanMaxHigh = maxHigh;
                return this;
            }

            Builder functions(FunctionFactory v) {
                this.functions = v;
                return this;
            }

            public Props build() {
                return new Props(
                        repositories,
                        repositoryNames,
                        verifyRules,
                        scanMaxCritical,
                        scanMaxHigh,
                        functions,
                        signing,
                        enhancedScanning,
                        releaseRepository,
                        hostsJson);
            }
        }
    }

    public ImageChecks(Construct scope, String id, Props props) {
        super(scope, id);
        QmFunction ledger = props.functions().create(this, Catalog.IMAGE_ACTION, Map.of());
        rule(
                "ImageActionRule",
                "Every push and delete in the managed ECR repositories, to the ledger",
                pattern(props, "ECR Image Action", Map.of()),
                ledger);

        Signing signing = props.signing();
        List<String> identities = new java.util.ArrayList<>(signing.identities());
        software.amazon.awscdk.services.signer.CfnSigningProfile profile = null;
        if (signing.managed()) {
            profile = signingProfile(props);
            identities.add(profile.getAttrArn());
        }
        Map<Setting, String> env = new HashMap<>();
        env.put(Setting.VERIFY_RULES, props.verifyRules());
        env.put(
                Setting.REGISTRY_URL,
                "https://" + Aws.ACCOUNT_ID + ".dkr.ecr." + Aws.REGION + "." + Aws.URL_SUFFIX);
        env.put(Setting.REGISTRY_AUTH, "ecr");
        env.put(Setting.SIGNING, signing.mode());
        env.put(Setting.SIGNATURE_REQUIRED, Json.of(signing.required()));
        env.put(Setting.SIGNING_IDENTITIES, Json.of(identities));
        env.put(
                Setting.SIGNING_TRUST_ROOTS,
                signing.enabled() && !signing.trustRootsPem().isEmpty()
                        ? dev.quartermaster.contract.TrustRoots.LAMBDA_PATH
                        : "");
        env.put(
                Setting.SIGNING_X509_TRUST_ROOTS,
                signing.enabled() && !signing.x509TrustRootsPem().isEmpty()
                        ? dev.quartermaster.contract.TrustRoots.LAMBDA_X509_PATH
                        : "");
        env.put(
                Setting.SIGNATURE_REVOCATION_CHECK,
                signing.revocationEnforced() ? "enforce" : "skip");
        env.put(Setting.SIGNING_WAIT_SECONDS, Integer.toString(signing.waitSeconds()));
        env.put(Setting.MANAGED_REPOSITORIES, String.join(",", props.repositoryNames()));
        QmFunction verify = props.functions().create(this, Catalog.IMAGE_VERIFY, Map.copyOf(env));
        props.repositories().forEach(r -> r.grantPull(verify.function()));
        if (signing.enabled()) {
            verify.function().addLayers(trustRoots(signing));
            // only AWS Signer signatures are checked for revocation, so only with AWS Signer roots;
            // no resource type: granted on *
            if (signing.revocationEnforced() && !signing.trustRootsPem().isEmpty()) {
                verify.function()
                        .addToRolePolicy(
                                software.amazon.awscdk.services.iam.PolicyStatement.Builder.create()
                                        .actions(List.of("signer:GetRevocationStatus"))
                                        .resources(List.of("*"))
                                        .build());
            }
        }
        if (profile != null) {
            verify.function()
                    .addToRolePolicy(
                            software.amazon.awscdk.services.iam.PolicyStatement.Builder.create()
                                    .actions(List.of("ecr:DescribeImageSigningStatus"))
                                    .resources(
                                            props.repositories().stream()
                                                    .map(Repository::getRepositoryArn)
                                                    .toList())
                                    .build());
        }
        rule(
                "ImageVerifyRule",
                "Successful tagged pushes, to version verification",
                pattern(
                        props,
                        "ECR Image Action",
                        Map.of("action-type", List.of("PUSH"), "result", List.of("SUCCESS"))),
                verify);
        if (signing
                .enabled()) { // PENDING settles, a revocation or an expiry since push is seen; the
            // release gate trusts a SIGNED 2 h
            Rule.Builder.create(this, "SignatureRecheckSchedule")
                    .description(
                            "Hourly: image-verify settles PENDING signatures and re-checks SIGNED ones")
                    .schedule(
                            software.amazon.awscdk.services.events.Schedule.rate(
                                    software.amazon.awscdk.Duration.hours(1)))
                    .targets(List.of(verify.target()))
                    .build();
            props.functions()
                    .grantTable(
                            verify,
                            "Query"); // the images of each managed repository, whose signatures it
            // re-checks
        }

        QmFunction scan =
                props.functions()
                        .create(
                                this,
                                Catalog.IMAGE_SCAN,
                                Map.of(
                                        Setting.SCAN_MAX_CRITICAL,
                                                Integer.toString(props.scanMaxCritical()),
                                        Setting.SCAN_MAX_HIGH,
                                                Integer.toString(props.scanMaxHigh()),
                                        Setting.RELEASE_REPOSITORY, props.releaseRepository(),
                                        Setting.HOSTS, props.hostsJson()));
        rule(
                "ImageScanRule",
                "Completed ECR scans, to the scan gate",
                pattern(props, "ECR Image Scan", Map.of("scan-status", List.of("COMPLETE"))),
                scan);
        if (props.enhancedScanning()) {
            List<String> arns =
                    props.repositories().stream().map(Repository::getRepositoryArn).toList();
            rule(
                    "InspectorScanRule",
                    "Amazon Inspector's completed scans of the managed repositories, to the scan gate",
                    EventPattern.builder()
                            .source(List.of("aws.inspector2"))
                            .detailType(List.of("Inspector2 Scan"))
                            .detail(Map.of("repository-name", arns))
                            .build(),
                    scan);
            rule(
                    "InspectorFindingRule",
                    "Amazon Inspector's findings (new, updated, closed) on the managed repositories' images",
                    EventPattern.builder()
                            .source(List.of("aws.inspector2"))
                            .detailType(List.of("Inspector2 Finding"))
                            // this account's images only: a delegated administrator's bus also
                            // carries its members' findings
                            .detail(
                                    Map.of(
                                            "awsAccountId",
                                            List.of(Aws.ACCOUNT_ID),
                                            "resources",
                                            Map.of(
                                                    "type",
                                                    List.of("AWS_ECR_CONTAINER_IMAGE"),
                                                    "details",
                                                    Map.of(
                                                            "awsEcrContainerImage",
                                                            Map.of(
                                                                    "repositoryName",
                                                                    props.repositoryNames())))))
                            .build(),
                    scan);
        }
    }

    /**
     * ECR managed signing: an AWS Signer profile for Notation and the registry's signing
     * configuration (one per registry and region, like its replication) signing every push of the
     * managed repositories.
     */
    private software.amazon.awscdk.services.signer.CfnSigningProfile signingProfile(Props props) {
        var profile =
                software.amazon.awscdk.services.signer.CfnSigningProfile.Builder.create(
                                this, "SigningProfile")
                        .platformId("Notation-OCI-SHA384-ECDSA")
                        .signatureValidityPeriod(
                                software.amazon.awscdk.services.signer.CfnSigningProfile
                                        .SignatureValidityPeriodProperty.builder()
                                        .type("MONTHS")
                                        .value(135)
                                        .build())
                        .build();
        software.amazon.awscdk.services.ecr.CfnSigningConfiguration.Builder.create(
                        this, "SigningConfiguration")
                .rules(
                        List.of(
                                software.amazon.awscdk.services.ecr.CfnSigningConfiguration
                                        .RuleProperty.builder()
                                        .signingProfileArn(profile.getAttrArn())
                                        .repositoryFilters(
                                                props.repositoryNames().stream()
                                                        .map(
                                                                n ->
                                                                        (Object)
                                                                                software.amazon
                                                                                        .awscdk
                                                                                        .services
                                                                                        .ecr
                                                                                        .CfnSigningConfiguration
                                                                                        .RepositoryFilterProperty
                                                                                        .builder()
                                                                                        .filter(n)
                                                                                        .filterType(
                                                                                                "WILDCARD_MATCH")
                                                                                        .build())
                                                        .toList())
                                        .build()))
                .build();
        return profile;
    }

    /**
     * The trusted roots, read at synth, as a layer: AWS Signer's at {@link
     * dev.quartermaster.contract.TrustRoots#LAMBDA_PATH}, those of x509.subject identities at
     * {@link dev.quartermaster.contract.TrustRoots#LAMBDA_X509_PATH}.
     */
    private software.amazon.awscdk.services.lambda.LayerVersion trustRoots(Signing signing) {
        try {
            java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("qm-trust-roots");
            java.nio.file.Path file =
                    dir.resolve(
                            dev.quartermaster.contract.TrustRoots.LAMBDA_PATH.substring(
                                    "/opt/".length()));
            java.nio.file.Files.createDirectories(file.getParent());
            if (!signing.trustRootsPem().isEmpty()) {
                java.nio.file.Files.writeString(file, signing.trustRootsPem());
            }
            if (!signing.x509TrustRootsPem().isEmpty()) {
                java.nio.file.Files.writeString(
                        dir.resolve(
                                dev.quartermaster.contract.TrustRoots.LAMBDA_X509_PATH.substring(
                                        "/opt/".length())),
                        signing.x509TrustRootsPem());
            }
            return software.amazon.awscdk.services.lambda.LayerVersion.Builder.create(
                            this, "TrustRoots")
                    .description(
                            "Quartermaster signature gate: AWS Signer roots from "
                                    + (signing.trustRootsPath().isEmpty()
                                            ? "(none)"
                                            : signing.trustRootsPath())
                                    + (signing.x509TrustRootsPath().isEmpty()
                                            ? ""
                                            : ", x509.subject roots from "
                                                    + signing.x509TrustRootsPath()))
                    .code(software.amazon.awscdk.services.lambda.Code.fromAsset(dir.toString()))
                    .build();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(
                    "could not stage the trust roots for their layer: " + e.getMessage(), e);
        }
    }

    private static EventPattern pattern(
            Props props, String detailType, Map<String, Object> detail) {
        Map<String, Object> d = new HashMap<>(detail);
        d.put("repository-name", props.repositoryNames());
        return EventPattern.builder()
                .source(List.of("aws.ecr"))
                .detailType(List.of(detailType))
                .detail(d)
                .build();
    }

    private void rule(String id, String description, EventPattern pattern, QmFunction target) {
        Rule.Builder.create(this, id)
                .description(description)
                .eventPattern(pattern)
                .targets(List.of(target.target()))
                .build();
    }
}

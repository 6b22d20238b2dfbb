package dev.quartermaster.infra;

import dev.quartermaster.contract.Catalog;
import dev.quartermaster.contract.Setting;
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
    /** What the image functions are told; {@code repositories} are the managed ECR repositories (pull is granted on them only). */
    public record Props(List<Repository> repositories, List<String> repositoryNames, String verifyRules, int scanMaxCritical,
                        int scanMaxHigh, FunctionFactory functions) {
        public Props {
            if (repositories.isEmpty()) {
                throw new IllegalArgumentException("ImageChecks needs at least one repository (-c repositories=wordpress)");
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
            private String verifyRules = Config.DEFAULT_VERIFY_RULES;
            private int scanMaxCritical;
            private int scanMaxHigh = -1;
            private FunctionFactory functions;

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
                return new Props(repositories, repositoryNames, verifyRules, scanMaxCritical, scanMaxHigh, functions);
            }
        }
    }

    public ImageChecks(Construct scope, String id, Props props) {
        super(scope, id);
        QmFunction ledger = props.functions().create(this, Catalog.IMAGE_ACTION, Map.of());
        rule("ImageActionRule", "Every push and delete in the managed ECR repositories, to the ledger",
                pattern(props, "ECR Image Action", Map.of()), ledger);

        QmFunction verify = props.functions().create(this, Catalog.IMAGE_VERIFY, Map.of(
                Setting.VERIFY_RULES, props.verifyRules(),
                Setting.REGISTRY_URL, "https://" + Aws.ACCOUNT_ID + ".dkr.ecr." + Aws.REGION + "." + Aws.URL_SUFFIX,
                Setting.REGISTRY_AUTH, "ecr"));
        props.repositories().forEach(r -> r.grantPull(verify.function()));
        rule("ImageVerifyRule", "Successful tagged pushes, to version verification",
                pattern(props, "ECR Image Action", Map.of("action-type", List.of("PUSH"), "result", List.of("SUCCESS"))), verify);

        QmFunction scan = props.functions().create(this, Catalog.IMAGE_SCAN, Map.of(
                Setting.SCAN_MAX_CRITICAL, Integer.toString(props.scanMaxCritical()),
                Setting.SCAN_MAX_HIGH, Integer.toString(props.scanMaxHigh())));
        rule("ImageScanRule", "Completed ECR scans, to the scan gate",
                pattern(props, "ECR Image Scan", Map.of("scan-status", List.of("COMPLETE"))), scan);
    }

    private static EventPattern pattern(Props props, String detailType, Map<String, Object> detail) {
        Map<String, Object> d = new HashMap<>(detail);
        d.put("repository-name", props.repositoryNames());
        return EventPattern.builder().source(List.of("aws.ecr")).detailType(List.of(detailType)).detail(d).build();
    }

    private void rule(String id, String description, EventPattern pattern, QmFunction target) {
        Rule.Builder.create(this, id).description(description).eventPattern(pattern).targets(List.of(target.target())).build();
    }
}

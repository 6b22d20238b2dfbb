package dev.quartermaster.infra;

import dev.quartermaster.contract.HostDocument;
import software.constructs.Construct;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The read-only hosts check ({@code bin/qm hosts check --aws}): one document every host may run,
 * its site fixed here from the stack (the endpoint names the hosts resolve, whether they must be
 * private, the app's repository, the backup bucket). The operator sends it with their own
 * credentials; no function does. What the host does with it needs nothing beyond the host policy
 * (ECR token, pull of the app's repository, listing and reading backups/).
 */
final class HostsCheck extends Construct {
    private final ShellDocument document;

    record Props(
            String imageUri,
            String projectDir,
            String backupBucket,
            boolean privateHosts,
            boolean kms) {}

    HostsCheck(Construct scope, String id, Props props) {
        super(scope, id);
        List<String> names = new ArrayList<>(PrivateHosts.interfaceNames(props.kms()));
        Map<String, String> site = new LinkedHashMap<>();
        site.put("QM_IMAGE_REPO", props.imageUri());
        site.put("QM_PROJECT_DIR", props.projectDir());
        site.put("QM_BACKUP_BUCKET", props.backupBucket());
        site.put("QM_ENDPOINTS", String.join(" ", names));
        site.put("QM_GATEWAY_ENDPOINTS", PrivateHosts.s3Name());
        site.put("QM_EXPECT_PRIVATE", Boolean.toString(props.privateHosts()));
        this.document = new ShellDocument(this, "Document", HostDocument.HOSTS_CHECK, site, 600);
    }

    ShellDocument document() {
        return document;
    }
}

package dev.quartermaster.infra;

import java.util.List;
import java.util.Map;

/**
 * What the registry holds of the managed repositories: each existing one's encryption, as ECR
 * created it. Synth asks it when it has credentials; without, the deploy record ({@link
 * dev.quartermaster.contract.DeployRecord}) answers.
 */
interface DeployedRepositories {
    /**
     * @return repository name → {@code AES256} or the KMS key's ARN, for those of {@code names}
     *     that exist (a missing one was never deployed, or was deleted: nothing fixes its
     *     encryption)
     * @throws RuntimeException when the registry cannot be read (synth then falls back to the
     *     deploy record)
     */
    Map<String, String> encryption(List<String> names);
}

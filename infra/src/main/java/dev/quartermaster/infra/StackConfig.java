package dev.quartermaster.infra;

import dev.quartermaster.contract.DeployRecord;
import dev.quartermaster.contract.options.Configuration;
import dev.quartermaster.contract.options.Option;
import dev.quartermaster.contract.options.OptionSource;
import dev.quartermaster.contract.options.Options;
import dev.quartermaster.contract.options.Problems;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What synth builds the stacks from: the {@link Configuration} (every cdk.json option, one slice
 * per capability, read from the CDK node's context exactly as {@code bin/qm} reads cdk.json) and
 * what only synth reads for it: the signature gate's root certificates. The account and region cdk
 * targets ({@code CDK_DEFAULT_ACCOUNT}, {@code CDK_DEFAULT_REGION}) stand in for {@code
 * homeAccount}/{@code homeRegion} when the context does not set them.
 */
public record StackConfig(Configuration options, Signing signing) {
    /**
     * The key under which earlier versions' synth wrote each repository's encryption into the lock
     * file (now ignored).
     */
    public static final String LOCKED_ENCRYPTION = DeployRecord.ENCRYPTION;

    /**
     * Reads and checks the context (key to value, as the CDK node holds it), with the environment
     * cdk gives the app.
     */
    public static StackConfig from(Map<String, ?> context, Function<String, String> env) {
        return read(source(context, env), Options.ALL);
    }

    /** As {@link #from(Map, Function)}, in the process's environment. */
    public static StackConfig from(Map<String, ?> context) {
        return from(context, System::getenv);
    }

    /**
     * The context as an option source, synth's account and region filling homeAccount and
     * homeRegion.
     */
    static OptionSource source(Map<String, ?> context, Function<String, String> env) {
        return OptionSource.of(context)
                .withFallback(Options.HOME_REGION, env.apply("CDK_DEFAULT_REGION"))
                .withFallback(Options.HOME_ACCOUNT, env.apply("CDK_DEFAULT_ACCOUNT"));
    }

    /**
     * Reads and checks every option {@code declared}, then the root certificates.
     *
     * @throws Problems.InvalidConfiguration with every problem and its fix
     */
    static StackConfig read(OptionSource source, List<Option<?>> declared) {
        Problems problems = new Problems();
        Configuration c = Configuration.read(source, declared, problems);
        Signing signing = Signing.read(c.signing(), problems);
        problems.throwIfAny();
        return new StackConfig(c, signing);
    }

    /** The managed repositories. */
    public List<String> repositories() {
        return options.repositories();
    }

    /**
     * A repository's encryption is fixed when ECR creates it: refuses a configuration whose
     * encryption differs from what a deploy recorded for a repository ({@code bin/qm deploy} writes
     * the record when the deploy succeeded; see {@link DeployRecord}).
     */
    public static List<String> encryptionChanges(Configuration c, Map<String, String> locked) {
        List<String> problems = new ArrayList<>();
        String encryption = c.estate().encryption();
        for (String repo : c.repositories()) {
            String was = locked.get(repo);
            // ECR names the key of a KMS repository; KMS here means the stack's own key, which it
            // cannot tell apart from a given one
            boolean sameKms = was != null && was.startsWith("arn:") && encryption.equals("KMS");
            if (was != null && !was.equals(encryption) && !sameKms) {
                problems.add(
                        Options.REPOSITORY_ENCRYPTION
                                + ": "
                                + repo
                                + " was created with "
                                + was
                                + " and ECR cannot change a repository's"
                                + " encryption (CloudFormation would have to replace it, and it refuses to replace a named repository). To move to "
                                + encryption
                                + ": add a repository under a new name with it, copy the images by digest"
                                + " (bin/qm replicate backfill, or restore from the archive), release from it, then retire the old one. If "
                                + repo
                                + " was never deployed with "
                                + was
                                + " (the stack was deleted, or the repository too), delete its entry under \"deployed\" in the lock file.");
            }
        }
        return problems;
    }
}

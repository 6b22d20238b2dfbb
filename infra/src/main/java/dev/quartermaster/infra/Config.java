package dev.quartermaster.infra;

import dev.quartermaster.contract.Host;
import dev.quartermaster.contract.LifecycleRules;
import dev.quartermaster.contract.Setting;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Everything a user chooses, read from cdk.json context or {@code -c key=value}, validated at synth.
 * Every problem is reported at once, each with how to fix it.
 */
public record Config(
        List<String> repositories,
        int keepTaggedImages,
        int untaggedExpiryDays,
        List<String> mutableTagPatterns,
        String alertEmail,
        String verifyRules,
        int scanMaxCritical,
        int scanMaxHigh,
        String backupSchedule,
        int backupRetentionDays,
        int backupColdAfterDays,
        int backupWindowHours,
        List<Host> hosts,
        String database,
        String dbContainer,
        String drillSchedule,
        String dbPasswordParameter,
        String backupCompression,
        int maxBackupAgeHours,
        int archiveRetentionDays,
        int archiveGraceHours,
        int archiveScrubPercent,
        int archiveColdAfterDays,
        int archiveObjectLockDays,
        Release release,
        LifecycleRules lifecycle,
        Signing signing,
        Estate estate,
        String cloudTrail,
        Runs upkeep) {

    /**
     * The upkeep state machines' Distributed Maps (the archive's reconcile, scrub and prune): child executions at once, and
     * the share of batches that may fail before a run fails (the fold reports the failed ones; a failed run is redriven).
     */
    public record Runs(int maxConcurrency, int toleratedFailurePercentage) {
    }

    /**
     * The registry estate: replication destinations (a stack each, in its region and account), the proof's deadline,
     * accounts and an organization that may pull, the repositories' encryption, basic or enhanced scanning, pull-through
     * cache rules. {@code homeRegion}/{@code homeAccount} are null when synth cannot know them (no credentials).
     */
    public record Estate(List<Destination> replication, int replicationDeadlineMinutes, List<String> pullAccounts, String pullOrganization,
                         String encryption, String scanning, List<String> continuousScanFilters, List<CacheRule> pullThroughCache,
                         String homeRegion, String homeAccount) {
        public static Estate none() {
            return new Estate(List.of(), 60, List.of(), "", "AES256", "BASIC", List.of(), List.of(), null, null);
        }

        public boolean kms() {
            return !encryption.equals("AES256");
        }

        /** The customer key given by ARN, or null (AES256, or KMS: a key the stack creates). */
        public String keyArn() {
            return encryption.startsWith("arn:") ? encryption : null;
        }

        public boolean enhanced() {
            return scanning.equals("ENHANCED");
        }

        public boolean pullGranted() {
            return !pullAccounts.isEmpty() || !pullOrganization.isEmpty();
        }
    }

    /** One replication destination; {@code account} null means this stack's account; {@code kmsKey} an optional key ARN there. */
    public record Destination(String region, String account, String kmsKey) {
        public String id() {
            return region + (account == null ? "" : "-" + account);
        }
    }

    /** A pull-through cache rule: repositories under {@code prefix}/ mirror {@code upstream} (with ECR's credential secret where it needs one). */
    public record CacheRule(String prefix, String upstream, String credentialArn) {
        static final Map<String, String[]> UPSTREAMS = Map.of(
                "docker-hub", new String[]{"registry-1.docker.io", "required"},
                "ecr-public", new String[]{"public.ecr.aws", "none"},
                "quay", new String[]{"quay.io", "optional"},
                "ghcr", new String[]{"ghcr.io", "required"});

        public String upstreamUrl() {
            return UPSTREAMS.get(upstream)[0];
        }

        /** ECR's name for the upstream registry. */
        public String upstreamRegistry() {
            return upstream.equals("ghcr") ? "github-container-registry" : upstream;
        }
    }

    /**
     * The signature gate: {@code mode} off or managed (the stack's AWS Signer profile signs every push through ECR);
     * which repositories' releases need a signature; whose signatures count (the stack's profile is added when managed);
     * AWS Signer's roots' PEM (read at synth from {@code trustRootsPath}) and the roots of x509.subject identities
     * ({@code x509TrustRootsPath}, none by default), never one root in both; revocation enforced or skipped.
     */
    public record Signing(String mode, List<String> required, List<String> identities, String trustRootsPath, String trustRootsPem,
                          String x509TrustRootsPath, String x509TrustRootsPem, boolean revocationEnforced, int waitSeconds) {
        /** The defaults: no signing, nothing required, revocation enforced should it be turned on. */
        public static Signing off() {
            return new Signing(Setting.SIGNING.defaultValue(), List.of(), List.of(), "", "", "", "", true, Setting.SIGNING_WAIT_SECONDS.intDefault());
        }

        public boolean managed() {
            return mode.equals("managed");
        }

        /** Whether image-verify checks signatures at all. */
        public boolean enabled() {
            return managed() || !required.isEmpty();
        }
    }

    /**
     * The release switch: which repository is the app, where its compose project lives on the host, how
     * the running app is proven (health URL, version file and regex) and which container tools the host has.
     */
    public record Release(String repository, String projectDir, String composeFile, String service, String healthUrl,
                          int healthTimeoutSeconds, boolean restorePoint, String containerCli, String composeCommand,
                          String versionFile, String versionRegex, int protectGraceDays) {
    }

    static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /** A value as the JSON a function setting carries (lists of names, destinations). */
    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
    static final Pattern REPOSITORY = Pattern.compile("(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*");
    static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
    static final Pattern SCHEDULE = Pattern.compile("(cron\\([^)]+\\)|rate\\(\\d+ (minute|minutes|hour|hours|day|days)\\))");
    static final Pattern DB_NAME = Pattern.compile("[A-Za-z0-9_]{1,64}");
    static final Pattern CONTAINER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    static final Pattern SSM_PARAMETER = Pattern.compile("/?[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*");
    static final Pattern COMPRESSION = Pattern.compile("gzip|zstd");
    static final Pattern CLOUD_TRAIL = Pattern.compile("create|existing");
    static final Pattern MUTABLE_TAG = Pattern.compile("[A-Za-z0-9_.*-]{1,128}");

    /** The rules that ship with the product (WordPress's version.php), the same file the function reads. */
    public static final String DEFAULT_VERIFY_RULES = defaultRules();

    private static String defaultRules() {
        try (var in = Config.class.getResourceAsStream("/default-verify-rules.json")) {
            if (in == null) {
                throw new IllegalStateException("default-verify-rules.json is missing from the classpath: rebuild the infra module");
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static final Pattern ABSOLUTE_PATH = Pattern.compile("/[A-Za-z0-9/_.-]+");
    static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,128}");
    static final Pattern SERVICE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    static final Pattern HEALTH_URL = Pattern.compile("https?://[A-Za-z0-9.:-]+(/[A-Za-z0-9/_.~%?=&-]*)?");
    static final Pattern CONTAINER_CLI = Pattern.compile("docker|podman");
    static final Pattern COMPOSE = Pattern.compile("docker compose|docker-compose|podman-compose|podman compose");
    /** WordPress: the version.php the running container serves (copied into its volume by the entrypoint). */
    static final String WORDPRESS_VERSION_FILE = "/var/www/html/wp-includes/version.php";
    static final String WORDPRESS_VERSION_REGEX = "wp_version = .([0-9A-Za-z.+-]+).;";

    private static Release release(Reader r, List<String> repos, List<String> errors) {
        String repository = r.text("releaseRepository", repos.isEmpty() ? "wordpress" : repos.get(0));
        if (!repos.contains(repository)) {
            errors.add("releaseRepository: '" + repository + "' is not one of the repositories " + repos);
        }
        String regex = r.text("versionRegex", WORDPRESS_VERSION_REGEX);
        try {
            java.util.regex.Matcher m = Pattern.compile(regex).matcher("");
            if (m.groupCount() < 1) {
                errors.add("versionRegex: '" + regex + "' needs one capturing group, the version");
            }
        } catch (java.util.regex.PatternSyntaxException e) {
            errors.add("versionRegex: '" + regex + "' is not a regular expression: " + e.getDescription());
        }
        if (regex.contains("'") || regex.contains("{{") || regex.contains("}}") || !regex.matches("[\\x20-\\x7E]+")) {
            errors.add("versionRegex: use printable characters without ' or {{ }} (match a quote with .)");
        }
        // the host runs it with sed -E (POSIX extended): Java-only syntax would compile here and match nothing there
        if (regex.matches(".*(\\(\\?|\\\\[dDpPQEAzZhH]|[*+?}]\\?).*") || regex.endsWith("\\")) {
            errors.add("versionRegex: '" + regex + "' uses syntax GNU sed -E on the host does not have ((?...), \\d, \\p, lazy *? +?, a trailing \\):"
                    + " write it as POSIX extended, e.g. [0-9] for \\d");
        }
        String restore = r.text("releaseRestorePoint", "true");
        if (!restore.equals("true") && !restore.equals("false")) {
            errors.add("releaseRestorePoint: must be true or false, not '" + restore + "'");
        }
        String projectDir = r.matching("composeProjectDir", "/opt/wordpress", ABSOLUTE_PATH, "an absolute path on the host, e.g. /opt/wordpress");
        if (projectDir.contains("..")) {
            errors.add("composeProjectDir: must not contain '..'");
        }
        return new Release(repository, projectDir,
                r.matching("composeFile", "docker-compose.yml", FILE_NAME, "a file name in the project directory"),
                r.matching("appService", "wordpress", SERVICE, "the compose service name of the app"),
                r.matching("healthUrl", "http://127.0.0.1/", HEALTH_URL, "an http(s) URL the host can reach, e.g. http://127.0.0.1/wp-login.php"),
                r.integer("healthTimeoutSeconds", 60, 5, 1800),
                restore.equals("true"),
                r.matching("containerCli", "docker", CONTAINER_CLI, "docker or podman"),
                r.matching("composeCommand", "docker compose", COMPOSE, "docker compose, docker-compose or podman-compose"),
                r.matching("versionFile", WORDPRESS_VERSION_FILE, ABSOLUTE_PATH, "an absolute path inside the app container"),
                regex,
                r.integer("lifecycleProtectGraceDays", Setting.PROTECT_GRACE_DAYS.intDefault(), 0, 3650));
    }

    static final Pattern REPOSITORY_PATTERN = Pattern.compile("[a-z0-9._/*-]{1,256}");
    static final Pattern SIGNER_PROFILE = Pattern.compile("arn:aws[a-z-]*:signer:[a-z0-9-]+:[0-9]{12}:/signing-profiles/[A-Za-z0-9_]{2,64}(/[A-Za-z0-9]{10})?");

    private static Signing signing(Reader r, List<String> repos, List<String> errors) {
        String mode = r.text("signing", Setting.SIGNING.defaultValue());
        if (!mode.equals("off") && !mode.equals("managed")) {
            errors.add("signing: must be off or managed (ECR signs each push with an AWS Signer profile the stack creates), not '" + mode + "'");
        }
        List<String> required = r.list("signatureRequired", mode.equals("managed") ? repos : List.of());
        required.stream().filter(p -> !REPOSITORY_PATTERN.matcher(p).matches()).forEach(p ->
                errors.add("signatureRequired: '" + p + "' is not a repository pattern (lowercase letters, digits, . _ - / and * wildcards)"));
        List<String> identities = r.list("signingIdentities", List.of());
        identities.stream().filter(i -> !SIGNER_PROFILE.matcher(i).matches() && !i.startsWith("x509.subject:")).forEach(i ->
                errors.add("signingIdentities: '" + i + "' is neither an AWS Signer signing profile ARN (arn:aws:signer:REGION:ACCOUNT:/signing-profiles/NAME)"
                        + " nor x509.subject:<distinguished name>"));
        String revocation = r.text("signatureRevocationCheck", Setting.SIGNATURE_REVOCATION_CHECK.defaultValue());
        if (!revocation.equals("enforce") && !revocation.equals("skip")) {
            errors.add("signatureRevocationCheck: must be enforce (AWS Signer's revocation status; unreadable fails closed) or skip, not '" + revocation + "'");
        }
        int wait = r.integer("signingWaitSeconds", Setting.SIGNING_WAIT_SECONDS.intDefault(), 0, 90);
        String path = r.text("signingTrustRoots", "");
        String x509Path = r.text("signingX509TrustRoots", "");
        String pem = "";
        String x509Pem = "";
        boolean enabled = mode.equals("managed") || !required.isEmpty();
        boolean subjects = identities.stream().anyMatch(i -> i.startsWith("x509.subject:"));
        List<java.security.cert.X509Certificate> signerRoots = List.of();
        List<java.security.cert.X509Certificate> x509Roots = List.of();
        if (enabled && path.isEmpty() && (mode.equals("managed") || !subjects || identities.stream().anyMatch(i -> !i.startsWith("x509.subject:")))) {
            errors.add("signingTrustRoots: signatures are checked (signing=" + mode + ", signatureRequired=" + required + ") but no AWS Signer root is given."
                    + " Quartermaster does not ship AWS Signer's root certificate (its licence does not grant redistribution): download the"
                    + " AWS Signer root for Notation as the AWS Signer developer guide says (Notation trust store), save it as PEM and set"
                    + " -c signingTrustRoots=path/to/aws-signer-root.pem");
        } else if (enabled && !path.isEmpty()) {
            signerRoots = roots(path, "signingTrustRoots", errors);
            pem = signerRoots.isEmpty() ? "" : readQuietly(path);
        }
        if (enabled && subjects && x509Path.isEmpty()) {
            errors.add("signingX509TrustRoots: signingIdentities names x509.subject identities, but no root for them is given. An x509.subject"
                    + " identity is believed only through a chain ending at one of these roots (never at AWS Signer's): set"
                    + " -c signingX509TrustRoots=path/to/your-ca.pem (the CA that issues your Notation signing certificates)");
        } else if (enabled && !x509Path.isEmpty()) {
            x509Roots = roots(x509Path, "signingX509TrustRoots", errors);
            x509Pem = x509Roots.isEmpty() ? "" : readQuietly(x509Path);
        }
        for (var root : x509Roots) {
            if (signerRoots.contains(root)) {
                errors.add("signingX509TrustRoots: " + root.getSubjectX500Principal() + " is also in signingTrustRoots. AWS Signer roots"
                        + " (signingTrustRoots) vouch for AWS Signer profiles, x509 roots (signingX509TrustRoots) for x509.subject identities;"
                        + " a root in both would let any certificate it issues claim either kind. Keep AWS Signer's root in signingTrustRoots"
                        + " and your own CA in signingX509TrustRoots only");
            }
        }
        if (enabled && !mode.equals("managed") && identities.isEmpty()) {
            errors.add("signingIdentities: signatureRequired is set without managed signing, so name whose signatures count"
                    + " (an AWS Signer signing profile ARN, or x509.subject:<DN> of your Notation certificate)");
        }
        return new Signing(mode, required, identities, path, pem, x509Path, x509Pem, revocation.equals("enforce"), wait);
    }

    /** The roots of a PEM bundle, or none with the error said. */
    private static List<java.security.cert.X509Certificate> roots(String path, String key, List<String> errors) {
        try {
            return dev.quartermaster.contract.TrustRoots.parse(java.nio.file.Files.readString(java.nio.file.Path.of(path)), key + " " + path);
        } catch (java.io.IOException e) {
            errors.add(key + ": " + path + " cannot be read (" + e.getMessage() + "); the path is relative to the directory cdk runs in");
        } catch (IllegalArgumentException e) {
            errors.add(key + ": " + e.getMessage());
        }
        return List.of();
    }

    private static String readQuietly(String path) {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of(path));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static final Pattern ACCOUNT = Pattern.compile("[0-9]{12}");
    static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-[0-9]{1,2}");
    static final Pattern ORGANIZATION = Pattern.compile("o-[a-z0-9]{10,32}");
    static final Pattern KMS_KEY = Pattern.compile("arn:aws[a-z-]*:kms:([a-z0-9-]+):([0-9]{12}):key/[A-Za-z0-9-]{1,64}");
    static final Pattern CACHE_PREFIX = Pattern.compile("[a-z0-9]+(?:[._-][a-z0-9]+)*");
    static final Pattern PTC_SECRET = Pattern.compile("arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:ecr-pullthroughcache/[A-Za-z0-9/_+=.@-]+");
    /** Registry-wide settings the context may say another stack or team owns. */
    static final List<String> REGISTRY_WIDE = List.of("replication", "scanning");
    /** The key under which earlier versions' synth wrote each repository's encryption into the lock file (now ignored). */
    public static final String LOCKED_ENCRYPTION = "repositoryEncryption";

    private static Estate estate(Reader r, List<String> repos, List<String> errors, Function<String, String> env) {
        String homeRegion = nonBlank(r.text("homeRegion", nonBlank(env.apply("CDK_DEFAULT_REGION"))));
        String homeAccount = nonBlank(r.text("homeAccount", nonBlank(env.apply("CDK_DEFAULT_ACCOUNT"))));
        List<String> elsewhere = r.list("registryManagedElsewhere", List.of());
        elsewhere.stream().filter(e -> !REGISTRY_WIDE.contains(e)).forEach(e ->
                errors.add("registryManagedElsewhere: '" + e + "' is not one of " + REGISTRY_WIDE));
        List<Destination> destinations = new ArrayList<>();
        String replication = r.text("replication", "[]");
        try {
            com.fasterxml.jackson.databind.JsonNode list = JSON.readTree(replication.isEmpty() ? "[]" : replication);
            if (!list.isArray()) {
                throw new IllegalArgumentException("not a list");
            }
            for (com.fasterxml.jackson.databind.JsonNode d : list) {
                String region = d.path("region").asText("");
                String account = d.hasNonNull("account") ? d.path("account").asText() : null;
                String key = d.hasNonNull("kmsKey") ? d.path("kmsKey").asText() : null;
                if (!REGION.matcher(region).matches()) {
                    errors.add("replication: '" + region + "' is not an AWS region (e.g. [{\"region\":\"eu-central-1\"}])");
                    continue;
                }
                if (account != null && !ACCOUNT.matcher(account).matches()) {
                    errors.add("replication: account '" + account + "' of " + region + " is not a 12-digit account id (leave it out for this account)");
                    continue;
                }
                if (key != null && !(KMS_KEY.matcher(key).matches() && key.split(":")[3].equals(region))) {
                    errors.add("replication: kmsKey of " + region + " must be a KMS key ARN in " + region);
                }
                Destination dest = new Destination(region, account != null && account.equals(homeAccount) ? null : account, key);
                if (dest.account() == null && region.equals(homeRegion)) {
                    errors.add("replication: " + region + " is this stack's own region and account; a destination must differ in one of them");
                }
                if (destinations.stream().anyMatch(x -> x.id().equals(dest.id()))) {
                    errors.add("replication: " + dest.id() + " is listed twice");
                }
                destinations.add(dest);
            }
        } catch (java.io.IOException | IllegalArgumentException e) {
            errors.add("replication: must be a JSON list of {\"region\": ..., \"account\": ... (optional)}, e.g. -c 'replication=[{\"region\":\"eu-central-1\"}]'");
        }
        if (destinations.size() > 25) {
            errors.add("replication: ECR replicates to at most 25 destinations, not " + destinations.size());
        }
        if (!destinations.isEmpty() && elsewhere.contains("replication")) {
            errors.add("replication: the registry's replication configuration is one per registry and region, and registryManagedElsewhere says"
                    + " another stack owns it; add these destinations there, or remove \"replication\" from registryManagedElsewhere to let"
                    + " Quartermaster own it (it replaces whatever configuration the registry has)");
        }
        if (!destinations.isEmpty() && homeRegion == null) {
            errors.add("replication: the home region is unknown, and each destination forwards its events to it; deploy with a profile"
                    + " or AWS_REGION (cdk sets CDK_DEFAULT_REGION), or -c homeRegion=us-east-1");
        }
        if (destinations.stream().anyMatch(d -> d.account() != null) && homeAccount == null) {
            errors.add("replication: a cross-account destination names this account in its registry policy, which is unknown here;"
                    + " deploy with credentials (cdk sets CDK_DEFAULT_ACCOUNT), or -c homeAccount=123456789012");
        }
        List<String> pullAccounts = r.list("pullAccounts", List.of());
        pullAccounts.stream().filter(a -> !ACCOUNT.matcher(a).matches()).forEach(a ->
                errors.add("pullAccounts: '" + a + "' is not a 12-digit account id"));
        String org = r.text("pullOrganization", "");
        if (!org.isEmpty() && !ORGANIZATION.matcher(org).matches()) {
            errors.add("pullOrganization: '" + org + "' is not an AWS Organizations id (o-, then 10 to 32 lowercase letters or digits)");
        }
        String encryption = r.text("repositoryEncryption", "AES256");
        if (!encryption.equals("AES256") && !encryption.equals("KMS")) {
            var m = KMS_KEY.matcher(encryption);
            if (!m.matches()) {
                errors.add("repositoryEncryption: '" + encryption + "' must be AES256, KMS (a key the stack creates) or a KMS key ARN");
            } else if (homeRegion != null && !m.group(1).equals(homeRegion)) {
                errors.add("repositoryEncryption: the key is in " + m.group(1) + ", the repositories in " + homeRegion + ": ECR needs a key in its own region");
            }
        }
        String scanning = r.text("scanning", "BASIC");
        if (!scanning.equals("BASIC") && !scanning.equals("ENHANCED")) {
            errors.add("scanning: must be BASIC (ECR's scan on push) or ENHANCED (Amazon Inspector: OS and language packages, continuous), not '" + scanning + "'");
        }
        if (scanning.equals("ENHANCED") && elsewhere.contains("scanning")) {
            errors.add("scanning: the registry's scanning configuration is one per registry and region, and registryManagedElsewhere says"
                    + " another stack owns it; set ENHANCED there, or remove \"scanning\" from registryManagedElsewhere");
        }
        List<String> continuous = r.list("continuousScanFilters", List.of());
        continuous.stream().filter(f -> !REPOSITORY_PATTERN.matcher(f).matches()).forEach(f ->
                errors.add("continuousScanFilters: '" + f + "' is not a repository filter (lowercase letters, digits, . _ - / and * wildcards)"));
        if (!continuous.isEmpty() && !scanning.equals("ENHANCED")) {
            errors.add("continuousScanFilters: continuous scanning is Amazon Inspector's; set -c scanning=ENHANCED too");
        }
        List<CacheRule> caches = new ArrayList<>();
        try {
            com.fasterxml.jackson.databind.JsonNode list = JSON.readTree(r.text("pullThroughCache", "[]"));
            for (com.fasterxml.jackson.databind.JsonNode c : list) {
                String prefix = c.path("prefix").asText("");
                String upstream = c.path("upstream").asText("");
                String secret = c.hasNonNull("credentialArn") ? c.path("credentialArn").asText() : null;
                if (!CACHE_PREFIX.matcher(prefix).matches() || prefix.length() < 2 || prefix.length() > 30 || repos.contains(prefix)
                        || prefix.equals("ecr") || prefix.startsWith("aws")) {
                    errors.add("pullThroughCache: prefix '" + prefix + "' must be 2-30 lowercase letters, digits and . _ -, not 'ecr' or 'aws…',"
                            + " and not one of the managed repositories");
                    continue;
                }
                String[] up = CacheRule.UPSTREAMS.get(upstream);
                if (up == null) {
                    errors.add("pullThroughCache: upstream '" + upstream + "' of " + prefix + " must be one of " + new java.util.TreeSet<>(CacheRule.UPSTREAMS.keySet()));
                    continue;
                }
                if (up[1].equals("required") && secret == null) {
                    errors.add("pullThroughCache: " + upstream + " needs credentials: create a Secrets Manager secret named ecr-pullthroughcache/"
                            + prefix + " with {\"username\",\"accessToken\"} and give its ARN as credentialArn");
                } else if (up[1].equals("none") && secret != null) {
                    errors.add("pullThroughCache: " + upstream + " takes no credentials: remove credentialArn from " + prefix);
                } else if (secret != null && !PTC_SECRET.matcher(secret).matches()) {
                    errors.add("pullThroughCache: credentialArn of " + prefix + " must be a Secrets Manager secret ARN whose name starts with"
                            + " ecr-pullthroughcache/ (ECR only reads secrets named so)");
                }
                if (caches.stream().anyMatch(x -> x.prefix().equals(prefix))) {
                    errors.add("pullThroughCache: prefix '" + prefix + "' is listed twice");
                }
                caches.add(new CacheRule(prefix, upstream, secret));
            }
        } catch (java.io.IOException | RuntimeException e) {
            errors.add("pullThroughCache: must be a JSON list of {\"prefix\", \"upstream\", \"credentialArn\"}");
        }
        return new Estate(destinations, r.integer("replicationDeadlineMinutes", Setting.REPLICATION_DEADLINE_MINUTES.intDefault(), 5, 24 * 60),
                pullAccounts, org, encryption, scanning, continuous, caches, homeRegion, homeAccount);
    }

    private static String nonBlank(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /**
     * A repository's encryption is fixed when ECR creates it: refuses a configuration whose encryption differs from what a
     * deploy recorded for a repository ({@code bin/qm deploy} writes the record when the deploy succeeded; see
     * {@link dev.quartermaster.contract.DeployRecord}).
     */
    public static List<String> encryptionChanges(Config c, Map<String, String> locked) {
        List<String> problems = new ArrayList<>();
        for (String repo : c.repositories()) {
            String was = locked.get(repo);
            // ECR names the key of a KMS repository; KMS here means the stack's own key, which it cannot tell apart from a given one
            boolean sameKms = was != null && was.startsWith("arn:") && c.estate().encryption().equals("KMS");
            if (was != null && !was.equals(c.estate().encryption()) && !sameKms) {
                problems.add("repositoryEncryption: " + repo + " was created with " + was + " and ECR cannot change a repository's encryption"
                        + " (CloudFormation would have to replace it, and it refuses to replace a named repository). To move to "
                        + c.estate().encryption() + ": add a repository under a new name with it, copy the images by digest"
                        + " (bin/qm replicate backfill, or restore from the archive), release from it, then retire the old one. If " + repo
                        + " was never deployed with " + was + " (the stack was deleted, or the repository too), delete its entry under \"deployed\" in the lock file.");
            }
        }
        return problems;
    }

    /** Reads and validates; {@code context} answers a key with a String, Number, List or null. */
    public static Config from(Function<String, Object> context) {
        return from(context, System::getenv);
    }

    /** With the environment cdk gives the app ({@code CDK_DEFAULT_REGION}, {@code CDK_DEFAULT_ACCOUNT}) read through {@code env}. */
    public static Config from(Function<String, Object> context, Function<String, String> env) {
        List<String> errors = new ArrayList<>();
        Reader r = new Reader(context, errors);
        List<String> repos = r.list("repositories", List.of("wordpress"));
        for (String repo : repos) {
            if (repo.length() < 2 || repo.length() > 256 || !REPOSITORY.matcher(repo).matches()) {
                errors.add("repositories: '" + repo + "' is not a valid ECR repository name; use lowercase letters, digits and . _ - / (e.g. -c repositories=wordpress,mariadb)");
            }
        }
        if (repos.isEmpty()) {
            errors.add("repositories: name at least one repository (e.g. -c repositories=wordpress)");
        }
        List<String> mutable = r.list("mutableTags", List.of());
        mutable.stream().filter(t -> !MUTABLE_TAG.matcher(t).matches()).forEach(t ->
                errors.add("mutableTags: '" + t + "' is not a tag filter (letters, digits, . _ - and * wildcards, e.g. latest or dev-*)"));
        String email = r.text("alertEmail", "");
        if (!email.isEmpty() && !EMAIL.matcher(email).matches()) {
            errors.add("alertEmail: '" + email + "' is not an e-mail address; leave it empty to subscribe later");
        }
        String rules = r.text("verifyRules", DEFAULT_VERIFY_RULES);
        dev.quartermaster.contract.RuleFormat.problem(rules).ifPresent(e -> errors.add("verifyRules: " + e));
        int keep = r.integer("keepTaggedImages", 50, 1, 10000);
        int untagged = r.integer("untaggedExpiryDays", 7, 1, 3650);
        Config c = new Config(repos,
                keep,
                untagged,
                mutable, email, rules,
                r.integer("scanMaxCritical", Setting.SCAN_MAX_CRITICAL.intDefault(), 0, 100000),
                r.integer("scanMaxHigh", Setting.SCAN_MAX_HIGH.intDefault(), -1, 100000),
                r.schedule("backupSchedule", "cron(0 3 * * ? *)"),
                r.integer("backupRetentionDays", 7, 1, 3650),
                r.integer("backupColdAfterDays", 0, 0, 3650),
                r.integer("backupWindowHours", Setting.BACKUP_WINDOW_HOURS.intDefault(), 1, 23),
                hosts(r, errors),
                r.matching("database", Setting.DATABASE.defaultValue(), DB_NAME, "a database name of letters, digits and _"),
                r.optionalMatching("dbContainer", "", CONTAINER, "a container name (letters, digits, _ . -), or empty for MariaDB on the host"),
                r.schedule("drillSchedule", "cron(0 4 ? * SUN *)"),
                r.optionalMatching("dbPasswordParameter", "", SSM_PARAMETER,
                        "an SSM parameter name (e.g. /wordpress/db-root-password), or empty when the host's client needs no password"),
                r.matching("backupCompression", Setting.BACKUP_COMPRESSION.defaultValue(), COMPRESSION, "zstd (fast, small; a host without the zstd command falls back to gzip -1) or gzip"),
                r.integer("maxBackupAgeHours", Setting.MAX_BACKUP_AGE_HOURS.intDefault(), 2, 24 * 35),
                r.integer("archiveRetentionDays", Setting.ARCHIVE_RETENTION_DAYS.intDefault(), 1, 36500),
                r.integer("archiveGraceHours", Setting.ARCHIVE_GRACE_HOURS.intDefault(), 1, 24 * 30),
                r.integer("archiveScrubPercent", Setting.ARCHIVE_SCRUB_PERCENT.intDefault(), 1, 100),
                r.integer("archiveColdAfterDays", 0, 0, 3650),
                r.integer("archiveObjectLockDays", 0, 0, 36500),
                release(r, repos, errors),
                lifecycle(r, untagged, keep, errors),
                signing(r, repos, errors),
                estate(r, repos, errors, env),
                r.matching("cloudTrail", "existing", CLOUD_TRAIL, "create (a trail of this region's management events, for the lifecycle guard)"
                        + " or existing (the account has a trail with logging enabled in this region)"),
                new Runs(r.integer("upkeepMaxConcurrency", 10, 1, 10000), r.integer("upkeepToleratedFailurePercentage", 5, 0, 100)));
        if (c.archiveObjectLockDays() > c.archiveRetentionDays()) {
            errors.add("archiveObjectLockDays (" + c.archiveObjectLockDays() + ") must not exceed archiveRetentionDays ("
                    + c.archiveRetentionDays() + "): the prune could not delete what it is locked from deleting");
        }
        if (c.backupColdAfterDays() > 0 && c.backupColdAfterDays() >= c.backupRetentionDays()) {
            errors.add("backupColdAfterDays (" + c.backupColdAfterDays() + ") must be smaller than backupRetentionDays ("
                    + c.backupRetentionDays() + "), or 0 to keep backups in S3 Standard");
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("Quartermaster configuration is invalid:\n  - " + String.join("\n  - ", errors)
                    + "\nSet values in cdk.json under \"context\" or with -c key=value.");
        }
        return c;
    }

    /**
     * {@code hosts}: the list of hosts (see {@link Host}); without it, one host that runs the app and the database,
     * found by {@code hostTagKey}/{@code hostTagValue} (the keys of a configuration written before hosts were a list).
     */
    private static List<Host> hosts(Reader r, List<String> errors) {
        Object legacyKey = r.context().apply("hostTagKey");
        Object legacyValue = r.context().apply("hostTagValue");
        if (r.context().apply("hosts") == null) {
            Host one = Host.parseList(Setting.HOSTS.defaultValue()).get(0);
            String key = r.matching("hostTagKey", one.tagKey(), Host.TAG, "a tag key of up to 128 letters, digits, spaces and _ . : / = + - @");
            String value = r.matching("hostTagValue", one.tagValue(), Host.TAG, "a tag value of up to 128 letters, digits, spaces and _ . : / = + - @");
            boolean valid = Host.TAG.matcher(key).matches() && Host.TAG.matcher(value).matches();
            return List.of(valid ? new Host(one.name(), key, value, one.roles()) : one);
        }
        if (legacyKey != null || legacyValue != null) {
            errors.add("hostTagKey/hostTagValue: set each host's tag in \"hosts\" instead (both are given; remove hostTagKey and hostTagValue)");
        }
        try {
            return Host.parseList(r.text("hosts", ""));
        } catch (IllegalArgumentException e) {
            errors.add(e.getMessage() + " (e.g. [{\"name\":\"web\",\"tagKey\":\"qm:host\",\"tagValue\":\"web\",\"roles\":[\"app\",\"database\"]}])");
            return Host.parseList(Setting.HOSTS.defaultValue());
        }
    }

    /** {@code lifecycleRules} (ECR's rule shape), else today's two rules from keepTaggedImages and untaggedExpiryDays; protection comes first. */
    private static LifecycleRules lifecycle(Reader r, int untaggedDays, int keep, List<String> errors) {
        LifecycleRules defaults = LifecycleRules.defaults(untaggedDays, keep);
        Object given = r.context().apply("lifecycleRules");
        if (given == null || (given instanceof List<?> l && l.isEmpty()) || "".equals(given) || "[]".equals(given)) {
            return defaults; // keepTaggedImages and untaggedExpiryDays apply only here: lifecycleRules replaces them
        }
        try {
            return LifecycleRules.parse(r.text("lifecycleRules", "[]"));
        } catch (IllegalArgumentException e) {
            errors.add(e.getMessage());
            return defaults;
        }
    }

    private record Reader(Function<String, Object> context, List<String> errors) {
        String text(String key, String fallback) {
            Object v = context.apply(key);
            if (v == null) {
                return fallback;
            }
            if (v instanceof String s) {
                return s.trim();
            }
            if (v instanceof List<?> || v instanceof Map<?, ?>) {
                try {
                    return JSON.writeValueAsString(v); // structured context, e.g. verifyRules as a JSON list
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalArgumentException(e);
                }
            }
            return String.valueOf(v).trim();
        }

        List<String> list(String key, List<String> fallback) {
            Object v = context.apply(key);
            if (v == null) {
                return fallback;
            }
            if (v instanceof List<?> l) {
                return l.stream().map(String::valueOf).map(String::trim).filter(s -> !s.isEmpty()).toList();
            }
            String text = String.valueOf(v).trim();
            if (text.startsWith("[")) { // -c key='["a","b"]', as cdk passes a JSON list on the command line
                try {
                    List<?> l = JSON.readValue(text, List.class);
                    return l.stream().map(String::valueOf).map(String::trim).filter(s -> !s.isEmpty()).toList();
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    errors.add(key + ": '" + text + "' is not a JSON list (e.g. -c " + key + "='[\"a\",\"b\"]', or a,b)");
                    return fallback;
                }
            }
            return Arrays.stream(String.valueOf(v).split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        }

        int integer(String key, int fallback, int min, int max) {
            Object v = context.apply(key);
            if (v == null) {
                return fallback;
            }
            try {
                int n = v instanceof Number num ? num.intValue() : Integer.parseInt(String.valueOf(v).trim());
                if (n < min || n > max) {
                    errors.add(key + ": " + n + " is outside " + min + ".." + max);
                    return fallback;
                }
                return n;
            } catch (NumberFormatException e) {
                errors.add(key + ": '" + v + "' is not a whole number (e.g. -c " + key + "=" + fallback + ")");
                return fallback;
            }
        }

        String schedule(String key, String fallback) {
            String s = text(key, fallback);
            if (!SCHEDULE.matcher(s).matches()) {
                errors.add(key + ": '" + s + "' is not an EventBridge schedule; use cron(min hour day month weekday year), e.g. "
                        + fallback + ", or rate(1 day)");
            }
            return s;
        }

        String matching(String key, String fallback, Pattern p, String what) {
            String s = text(key, fallback);
            if (!p.matcher(s).matches()) {
                errors.add(key + ": '" + s + "' is not " + what);
            }
            return s;
        }

        String optionalMatching(String key, String fallback, Pattern p, String what) {
            String s = text(key, fallback);
            return s.isEmpty() ? s : matching(key, fallback, p, what);
        }
    }
}
